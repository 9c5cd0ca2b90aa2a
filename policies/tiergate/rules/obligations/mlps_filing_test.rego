package tiergate.rules.obligations.mlps_filing_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.mlps_filing

test_obligation_sensitive_data_level_3 if {
	mlps_filing.obligation == {{
		"rule_id": "obligations.mlps_filing",
		"message": "MLPS (GB/T 22239-2019) level 3 grading, filing and assessment: sensitive data",
		"message_zh": "须按网络安全等级保护第三级 监督保护级定级、备案和测评：敏感数据",
	}} with input as fx.with_context({"data_class": "sensitive"})
}

test_obligation_state_secret_raises_level_and_is_named if {
	some o in mlps_filing.obligation with input as fx.with_context({"data_class": "public", "state_secret": "confidential"})
	startswith(o.message, "MLPS (GB/T 22239-2019) level 4 ")
	endswith(o.message, ": public data, state secret confidential")
	endswith(o.message_zh, "，国家秘密（机密）")
}

test_allow_unknown_data_class_lists_nothing if {
	mlps_filing.obligation == set() with input as fx.with_context({"data_class": "unclassified"})
}
