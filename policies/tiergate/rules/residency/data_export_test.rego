package tiergate.rules.residency.data_export_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.residency.data_export

test_deny_important_data_offshore if {
	data_export.deny == {{
		"rule_id": "residency.data_export",
		"severity": "deny",
		"message": "important data in region sg is a data export that needs a CAC security assessment",
		"message_zh": "在地区 sg 处理重要数据属于数据出境，须通过网信部门安全评估",
	}} with input as fx.with_context({"region": "sg", "data_class": "important"})
}

test_deny_personal_information_offshore if {
	data_export.deny == {{
		"rule_id": "residency.data_export",
		"severity": "deny",
		"message": "personal information processed in region cn-hongkong is a data export that needs a CAC security assessment",
		"message_zh": "在地区 cn-hongkong 处理个人信息属于数据出境，须通过网信部门安全评估",
	}} with input as fx.with_context({"region": "cn-hongkong", "personal_information": true})
}

test_allow_general_data_offshore if {
	data_export.deny == set() with input as fx.with_context({"region": "sg"})
}

test_allow_core_data_in_china if {
	data_export.deny == set() with input as fx.with_context({"data_class": "core", "personal_information": true})
}
