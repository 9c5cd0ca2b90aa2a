package tiergate.rules.obligations.pboc_data_security_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.pboc_data_security

test_obligation_finance if {
	pboc_data_security.obligation == {{
		"rule_id": "obligations.pboc_data_security",
		"message": "finance: data in PBOC business areas classified and graded, a data-security risk assessment every year and a compliance audit (PBOC data-security measures, 2025)",
		"message_zh": "金融行业：中国人民银行业务领域数据须分类分级管理，每年开展数据安全风险评估，并开展数据安全合规审计（《中国人民银行业务领域数据安全管理办法》）",
	}} with input as fx.with_context({"sector": "finance"})
}

# In force from 2025-06-30T00:00:00+08:00 (2025-06-29T16:00:00Z).
test_allow_before_2025_06_30 if {
	pboc_data_security.obligation == set() with input as fx.with_context({"sector": "finance", "evaluation_time": "2025-06-29T15:59:59Z"})
	count(pboc_data_security.obligation) == 1 with input as fx.with_context({"sector": "finance", "evaluation_time": "2025-06-29T16:00:00Z"})
}

test_allow_other_sector if {
	pboc_data_security.obligation == set() with input as fx.with_context({})
}

test_explain_other_sector if {
	pboc_data_security.explain == {
		"reason": "sector internet is outside finance",
		"reason_zh": "互联网行业不属于金融行业",
		"rule_id": "obligations.pboc_data_security",
	} with input as fx.with_context({})
}

test_explain_not_yet_in_force if {
	pboc_data_security.explain == {
		"reason": "not yet in force on 2025-06-01 (in force from 2025-06-30)",
		"reason_zh": "评估日期2025年6月1日尚未施行（自2025年6月30日起施行）",
		"rule_id": "obligations.pboc_data_security",
	} with input as fx.with_context({"sector": "finance", "evaluation_time": "2025-06-01T00:00:00+08:00"})
}

test_explain_when_fired if {
	pboc_data_security.explain == {
		"reason": "finance",
		"reason_zh": "金融行业",
		"rule_id": "obligations.pboc_data_security",
	} with input as fx.with_context({"sector": "finance"})
}
