package tiergate.rules.residency.data_export_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.residency.data_export

# 促进和规范数据跨境流动规定 is in force from 2024-03-22T00:00:00+08:00 (2024-03-21T16:00:00Z).
_before_2024_rules := "2024-03-21T15:59:59Z"

_from_2024_rules := "2024-03-21T16:00:00Z"

_pi_export(people, sensitive) := {"region": "sg", "personal_information": true, "cross_border": {"people_per_year": people, "sensitive_people_per_year": sensitive}}

test_deny_important_data_offshore if {
	data_export.deny == {{
		"rule_id": "residency.data_export",
		"severity": "deny",
		"message": "important data processed in region hk: a data export that needs a CAC security assessment (Cross-Border Data Flow Provisions Art. 7)",
		"message_zh": "在中国香港处理重要数据，属于数据出境，须通过国家网信部门数据出境安全评估（《促进和规范数据跨境流动规定》第七条）",
	}} with input as fx.with_context({"region": "hk", "data_class": "important"})
}

test_deny_personal_information_offshore_without_a_declared_volume if {
	data_export.deny == {{
		"rule_id": "residency.data_export",
		"severity": "deny",
		"message": concat("", [
			"personal information processed in region mo is a data export,",
			" but the people per year (context.cross_border) are not declared: exemption,",
			" standard contract or security assessment cannot be told apart",
		]),
		"message_zh": "在中国澳门处理个人信息属于数据出境，但未申报当年累计向境外提供个人信息的人数，无法判断适用免予申报、标准合同（认证）还是安全评估",
	}} with input as fx.with_context({"region": "mo", "personal_information": true})
}

test_deny_a_million_people_a_year if {
	data_export.deny == {{
		"rule_id": "residency.data_export",
		"severity": "deny",
		"message": "personal information of 1000000 people a year: a data export that needs a CAC security assessment (Cross-Border Data Flow Provisions Art. 7)",
		"message_zh": "每年向境外提供100万人的个人信息，属于数据出境，须通过国家网信部门数据出境安全评估（《促进和规范数据跨境流动规定》第七条）",
	}} with input as fx.with_context(_pi_export(1000000, 0))
	data_export.deny == set() with input as fx.with_context(_pi_export(999999, 0))
}

test_deny_ten_thousand_people_sensitive if {
	some violation in data_export.deny with input as fx.with_context(_pi_export(0, 10000))
	startswith(violation.message_zh, "每年向境外提供1万人的敏感个人信息，属于数据出境")
	data_export.deny == set() with input as fx.with_context(_pi_export(0, 9999))
}

test_deny_a_cii_operator_exporting_any_personal_information if {
	some violation in data_export.deny with input as fx.with_context(object.union(_pi_export(10, 0), {"cii_operator": true}))
	violation.message_zh == "关键信息基础设施运营者向境外提供个人信息，属于数据出境，须通过国家网信部门数据出境安全评估（《促进和规范数据跨境流动规定》第七条）"
}

test_deny_declared_export_from_mainland_china if {
	some violation in data_export.deny with input as fx.with_context({"cross_border": {"people_per_year": 2000000}})
	startswith(violation.message, "personal information of 2000000 people a year:")
}

test_deny_old_thresholds_before_the_2024_rules if {
	context := object.union(_pi_export(100000, 0), {"evaluation_time": _before_2024_rules})
	some violation in data_export.deny with input as fx.with_context(context)
	violation.message_zh == "每年向境外提供10万人的个人信息，属于数据出境，须通过国家网信部门数据出境安全评估（《数据出境安全评估办法》第四条）"
	data_export.deny == set() with input as fx.with_context(object.union(context, {"evaluation_time": _from_2024_rules}))
}

test_allow_below_the_thresholds if {
	data_export.deny == set() with input as fx.with_context(_pi_export(50000, 0))
	data_export.deny == set() with input as fx.with_context(_pi_export(500000, 9999))
}

test_allow_general_data_offshore if {
	data_export.deny == set() with input as fx.with_context({"region": "sg"})
}

test_allow_core_data_and_personal_information_in_china if {
	data_export.deny == set() with input as fx.with_context({"data_class": "core", "personal_information": true})
}

test_explain_onshore if {
	data_export.explain == {
		"reason": "processed in region cn and no personal information declared as sent abroad",
		"reason_zh": "在中国内地处理，且未申报向境外提供个人信息",
		"rule_id": "residency.data_export",
	} with input as fx.with_context({})
}

test_explain_below_the_assessment if {
	data_export.explain == {
		"reason": concat("", [
			"the data export is below the security assessment: personal information of 200000 people and sensitive personal ",
			"information of 10 people a year, no important or core data offshore, not a CII operator",
		]),
		"reason_zh": "数据出境未达安全评估标准：每年向境外提供20万人的个人信息、10人的敏感个人信息，未在境外处理重要数据或核心数据，且非关键信息基础设施运营者",
		"rule_id": "residency.data_export",
	} with input as fx.with_context({"cross_border": {"people_per_year": 200000, "sensitive_people_per_year": 10}})
}
