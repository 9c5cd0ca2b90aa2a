package tiergate.rules.export.restricted_part_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.restricted_part

test_warn_rental_prohibited_part if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": "requested accelerator nvidia-gb200 is barred from export to China (prohibited since 2024); procurement rental, so supply may stop",
		"message_zh": "所申请的加速卡 nvidia-gb200 禁止出口至中国（prohibited，自 2024 起）；采购方式 rental，供应可能中断",
	}} with input as fx.with_context({"requested_accelerator": "nvidia-gb200"})
}

test_warn_new_licence_required_part if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": "requested accelerator nvidia-h20 is subject to a US export licence for China (licence_required since 2025-04-09); procurement new, so supply may stop",
		"message_zh": "所申请的加速卡 nvidia-h20 对华出口须取得美国许可证（licence_required，自 2025-04-09 起）；采购方式 new，供应可能中断",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h20"})
}

test_warn_candidates_when_nothing_requested if {
	warnings := restricted_part.warn with input as fx.with_candidates({"procurement": "new"}, ["nvidia-h20", "nvidia-b200-hgx", "huawei-ascend-910b3"])
	expected := "candidate accelerator nvidia-h20 is subject to a US export licence for China (licence_required since 2025-04-09); procurement new, so supply may stop"
	{w.message | some w in warnings} == {expected}
}

test_allow_new_prohibited_part_is_excluded_not_warned if {
	restricted_part.warn == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx"})
}

test_allow_unrestricted_part if {
	restricted_part.warn == set() with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}

test_allow_outside_china if {
	restricted_part.warn == set() with input as fx.with_context({"region": "sg", "requested_accelerator": "nvidia-h20"})
}
