package tiergate.rules.obligations.pi_export_contract_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.pi_export_contract

_pi_export(people, sensitive) := {"region": "sg", "personal_information": true, "cross_border": {"people_per_year": people, "sensitive_people_per_year": sensitive}}

test_obligation_between_the_exemption_and_the_assessment if {
	pi_export_contract.obligation == {{
		"rule_id": "obligations.pi_export_contract",
		"message": concat("", [
			"personal information of 100000 people and sensitive personal information of 0 people exported a year:",
			" a filed standard contract or a certification (Cross-Border Data Flow Provisions Art. 8)",
		]),
		"message_zh": "每年向境外提供10万人的个人信息、0人的敏感个人信息：须订立个人信息出境标准合同并备案，或通过个人信息保护认证（《促进和规范数据跨境流动规定》第八条）",
	}} with input as fx.with_context(_pi_export(100000, 0))
}

test_obligation_any_sensitive_personal_information if {
	count(pi_export_contract.obligation) == 1 with input as fx.with_context(_pi_export(0, 1))
}

# Before 2024-03-22T00:00:00+08:00 no exemption existed below 100,000 people.
test_obligation_small_export_before_the_2024_rules if {
	some o in pi_export_contract.obligation with input as fx.with_context(object.union(_pi_export(50000, 0), {"evaluation_time": "2024-03-21T15:59:59Z"}))
	endswith(o.message_zh, "（个人信息保护法第三十八条）")
	pi_export_contract.obligation == set() with input as fx.with_context(object.union(_pi_export(50000, 0), {"evaluation_time": "2024-03-21T16:00:00Z"}))
}

test_allow_exempt_below_100000_people if {
	pi_export_contract.obligation == set() with input as fx.with_context(_pi_export(99999, 0))
}

test_allow_assessment_instead if {
	pi_export_contract.obligation == set() with input as fx.with_context(_pi_export(1000000, 0))
	pi_export_contract.obligation == set() with input as fx.with_context({"region": "sg", "personal_information": true})
}

test_explain_assessment_instead if {
	pi_export_contract.explain == {
		"reason": "the data export needs a security assessment instead (residency.data_export)",
		"reason_zh": "该数据出境须通过安全评估（见“须通过数据出境安全评估的数据出境”规则），不适用标准合同",
		"rule_id": "obligations.pi_export_contract",
	} with input as fx.with_context({"cross_border": {"people_per_year": 2000000}})
}

test_explain_undeclared if {
	pi_export_contract.explain == {
		"reason": "the people per year are not declared (residency.data_export)",
		"reason_zh": "未申报向境外提供个人信息的人数（见“须通过数据出境安全评估的数据出境”规则）",
		"rule_id": "obligations.pi_export_contract",
	} with input as fx.with_context({"region": "hk", "personal_information": true})
}

test_explain_nothing_exported if {
	pi_export_contract.explain == {
		"reason": "no personal information is declared as exported (context.cross_border)",
		"reason_zh": "未申报向境外提供个人信息",
		"rule_id": "obligations.pi_export_contract",
	} with input as fx.with_context({})
}

test_explain_below_the_exemption if {
	pi_export_contract.explain == {
		"reason": "personal information of 50000 people a year, below the exemption of 100000, and no sensitive personal information",
		"reason_zh": "每年向境外提供5万人的个人信息，低于10万人的免予申报标准，且不涉及敏感个人信息",
		"rule_id": "obligations.pi_export_contract",
	} with input as fx.with_context({"cross_border": {"people_per_year": 50000}})
}
