package tiergate.rules.obligations.mlps_filing_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.mlps_filing

test_obligation_sensitive_data_level_3 if {
	mlps_filing.obligation == {{
		"rule_id": "obligations.mlps_filing",
		"message": "MLPS (GB/T 22239-2019) level 3 grading, filing and assessment (Cybersecurity Law Art. 23): sensitive data",
		"message_zh": "敏感数据：须按网络安全等级保护第三级（监督保护级）定级备案并开展等级测评（网络安全法第二十三条）",
	}} with input as fx.with_context({"data_class": "sensitive"})
}

# The amended Cybersecurity Law (in force 2026-01-01T00:00:00+08:00 = 2025-12-31T16:00:00Z)
# renumbered the MLPS article from 21 to 23.
test_obligation_cites_article_21_before_the_amendment if {
	some o in mlps_filing.obligation with input as fx.with_context({"evaluation_time": "2025-12-31T15:59:59Z"})
	endswith(o.message_zh, "（网络安全法第二十一条）")
	contains(o.message, "(Cybersecurity Law Art. 21)")
}

test_obligation_cites_article_23_from_the_amendment if {
	some o in mlps_filing.obligation with input as fx.with_context({"evaluation_time": "2025-12-31T16:00:00Z"})
	endswith(o.message_zh, "（网络安全法第二十三条）")
}

test_obligation_sensitive_personal_information_lifts_level_to_3 if {
	some o in mlps_filing.obligation with input as fx.with_context({"sensitive_personal_information": true})
	startswith(o.message_zh, "敏感数据：须按网络安全等级保护第三级（监督保护级）")
}

test_obligation_healthcare_core_business_is_level_3 if {
	mlps_filing.obligation == {{
		"rule_id": "obligations.mlps_filing",
		"message": "MLPS (GB/T 22239-2019) level 3 grading, filing and assessment (Cybersecurity Law Art. 23): general data, healthcare core business",
		"message_zh": "一般数据，医疗卫生行业核心业务系统：须按网络安全等级保护第三级（监督保护级）定级备案并开展等级测评（网络安全法第二十三条）",
	}} with input as fx.with_context({"sector": "healthcare", "core_business": true})
}

test_obligation_core_business_never_lowers_the_level if {
	some o in mlps_filing.obligation with input as fx.with_context({"sector": "healthcare", "core_business": true, "data_class": "core"})
	startswith(o.message, "MLPS (GB/T 22239-2019) level 4 ")
	not contains(o.message, "core business")
}

test_allow_state_secret_is_not_filed_under_mlps if {
	mlps_filing.obligation == set() with input as fx.with_context({"state_secret": "confidential"})
}

test_allow_unknown_data_class_lists_nothing if {
	mlps_filing.obligation == set() with input as fx.with_context({"data_class": "unclassified"})
}

test_explain_state_secret if {
	mlps_filing.explain == {
		"reason": "state secret grade confidential: classified protection instead of MLPS filing (obligations.classified_protection)",
		"reason_zh": "涉及国家秘密（机密）：按分级保护要求管理（见涉及国家秘密的分级保护义务），不适用等级保护定级备案",
		"rule_id": "obligations.mlps_filing",
	} with input as fx.with_context({"state_secret": "confidential"})
}

test_explain_unparsable_time if {
	mlps_filing.explain == {
		"reason": "the MLPS level or the Cybersecurity Law article in force cannot be determined (evaluation time cannot be parsed)",
		"reason_zh": "无法确定等级保护级别或现行网络安全法条款（评估时间无法解析）",
		"rule_id": "obligations.mlps_filing",
	} with input as fx.with_context({"evaluation_time": "yesterday"})
}
