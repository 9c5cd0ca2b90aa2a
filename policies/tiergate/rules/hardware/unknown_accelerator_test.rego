package tiergate.rules.hardware.unknown_accelerator_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.hardware.unknown_accelerator

test_deny_unknown_accelerator if {
	unknown_accelerator.deny == {{
		"rule_id": "hardware.unknown_accelerator",
		"severity": "deny",
		"message": "requested accelerator acme-tpu-9 is not in the accelerator catalogue",
		"message_zh": "所申请的加速卡“acme-tpu-9”不在加速卡目录中",
	}} with input as fx.with_context({"requested_accelerator": "acme-tpu-9"})
}

test_allow_catalogue_accelerator if {
	unknown_accelerator.deny == set() with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
	unknown_accelerator.deny == set() with input as fx.with_context({})
}

test_explain_nothing_requested if {
	unknown_accelerator.explain == {
		"reason": "no accelerator is requested",
		"reason_zh": "未指定所申请的加速卡",
		"rule_id": "hardware.unknown_accelerator",
	} with input as fx.with_context({})
}

test_explain_known_part if {
	unknown_accelerator.explain == {
		"reason": "requested accelerator nvidia-l20 is in the accelerator catalogue",
		"reason_zh": "所申请的加速卡英伟达L20 48GB（中国特供版）在加速卡目录中",
		"rule_id": "hardware.unknown_accelerator",
	} with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}
