package tiergate.rules.export.excluded_part_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.excluded_part

test_deny_new_prohibited_part if {
	excluded_part.deny == {{
		"rule_id": "export.excluded_part",
		"severity": "deny",
		"message": "requested nvidia-b200-hgx is barred from export to China (prohibited since 2024) and procurement is new in region cn",
		"message_zh": "所申请的 nvidia-b200-hgx 禁止出口至中国（prohibited，自 2024 起），采购方式为 new，地区 cn",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx"})
	excluded_part.exclude == {
		{"rule_id": "export.excluded_part", "accelerator": "nvidia-b200-hgx"},
		{"rule_id": "export.excluded_part", "accelerator": "nvidia-gb200"},
	} with input as fx.with_context({"procurement": "new"})
}

test_allow_rental_prohibited_part if {
	excluded_part.deny == set() with input as fx.with_context({"requested_accelerator": "nvidia-b200-hgx"})
	excluded_part.exclude == set() with input as fx.with_context({"procurement": "existing"})
}

test_allow_new_licence_required_part if {
	excluded_part.deny == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h20"})
}

test_allow_outside_china if {
	excluded_part.exclude == set() with input as fx.with_context({"procurement": "new", "region": "sg"})
}
