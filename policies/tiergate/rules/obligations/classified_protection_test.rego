package tiergate.rules.obligations.classified_protection_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.classified_protection

test_obligation_top_secret if {
	classified_protection.obligation == {{
		"rule_id": "obligations.classified_protection",
		"message": concat("", [
			"state secret grade top_secret: classified protection (BMB17/BMB20) instead of MLPS filing;",
			" built by a qualified classified-systems integrator,",
			" in use only after testing by a secrecy evaluation body and approval by the secrecy administration (Law on Guarding State Secrets Art. 30)",
		]),
		"message_zh": "涉及国家秘密（绝密）：涉密信息系统按分级保护要求（BMB17/BMB20）规划建设，不适用等级保护备案；须由具有涉密信息系统集成资质的单位承建，经保密测评机构检测评估并经保密行政管理部门审查合格后方可投入使用（保守国家秘密法第三十条）",
	}} with input as fx.with_context({"state_secret": "top_secret"})
}

test_allow_no_state_secret if {
	classified_protection.obligation == set() with input as fx.with_context({})
}

test_explain_no_state_secret if {
	classified_protection.explain == {
		"reason": "the workload holds no state secrets",
		"reason_zh": "该工作负载不涉及国家秘密",
		"rule_id": "obligations.classified_protection",
	} with input as fx.with_context({})
}
