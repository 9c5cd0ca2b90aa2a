package tiergate.rules.hardware.unknown_accelerator_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.hardware.unknown_accelerator

test_deny_unknown_accelerator if {
	unknown_accelerator.deny == {{
		"rule_id": "hardware.unknown_accelerator",
		"severity": "deny",
		"message": "requested accelerator acme-tpu-9 is not in the accelerator catalogue",
		"message_zh": "所申请的加速卡 acme-tpu-9 不在加速卡目录中",
	}} with input as fx.with_context({"requested_accelerator": "acme-tpu-9"})
}

test_allow_catalogue_accelerator if {
	unknown_accelerator.deny == set() with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
	unknown_accelerator.deny == set() with input as fx.with_context({})
}
