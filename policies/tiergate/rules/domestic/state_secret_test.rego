package tiergate.rules.domestic.state_secret_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.state_secret

test_deny_secret_workload_requests_nvidia if {
	state_secret.deny == {{
		"rule_id": "domestic.state_secret",
		"severity": "deny",
		"message": "the workload holds state secrets (confidential), so domestic accelerators are required; requested nvidia-a800-80gb-sxm is not domestic",
		"message_zh": "该工作负载涉及国家秘密（机密），须使用国产加速卡（信创）；所申请的英伟达A800 80GB SXM（A100中国特供版）不是国产加速卡",
	}} with input as fx.with_context({"state_secret": "confidential", "requested_accelerator": "nvidia-a800-80gb-sxm"})
	state_secret.substitution.level == "required" with input as fx.with_context({"state_secret": "confidential"})
	count(state_secret.exclude) > 0 with input as fx.with_context({"state_secret": "confidential"})
}

test_allow_no_state_secret if {
	state_secret.deny == set() with input as fx.with_context({"requested_accelerator": "nvidia-a800-80gb-sxm"})
	state_secret.exclude == set() with input as fx.with_context({})
}

test_explain_no_state_secret if {
	state_secret.explain == {
		"reason": "the workload holds no state secrets",
		"reason_zh": "该工作负载不涉及国家秘密",
		"rule_id": "domestic.state_secret",
	} with input as fx.with_context({})
}
