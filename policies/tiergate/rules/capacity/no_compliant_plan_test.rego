package tiergate.rules.capacity.no_compliant_plan_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.capacity.no_compliant_plan

test_deny_no_candidates if {
	no_compliant_plan.deny == {{
		"rule_id": "capacity.no_compliant_plan",
		"severity": "deny",
		"message": "no compliant hardware plan: the sizing engine offered no feasible plan",
		"message_zh": "没有合规的硬件方案：资源估算未给出任何可行方案",
	}} with input as fx.with_candidates({}, [])
}

test_deny_only_excluded_candidates if {
	no_compliant_plan.deny == {{
		"rule_id": "capacity.no_compliant_plan",
		"severity": "deny",
		"message": "no compliant hardware plan: none of the 2 candidate plans (nvidia-a100-80gb-sxm, nvidia-h100-sxm) uses an allowed accelerator",
		"message_zh": "没有合规的硬件方案：2个候选方案（英伟达A100 80GB SXM4、英伟达H100 80GB SXM5）均未使用允许的加速卡",
	}} with input as fx.with_candidates({"sector": "government"}, ["nvidia-h100-sxm", "nvidia-a100-80gb-sxm"])
}

test_allow_one_compliant_candidate if {
	no_compliant_plan.deny == set() with input as fx.with_candidates({"sector": "government"}, ["nvidia-h100-sxm", "huawei-ascend-910b3"])
}

test_explain_names_the_allowed_candidates if {
	no_compliant_plan.explain == {
		"reason": "2 of the 2 candidate plans use an allowed accelerator, the cheapest huawei-ascend-910b3",
		"reason_zh": "2个候选方案中有2个使用允许的加速卡，最经济的为华为昇腾910B3",
		"rule_id": "capacity.no_compliant_plan",
	} with input as fx.with_candidates({}, ["huawei-ascend-910b3", "nvidia-l20"])
}

test_explain_when_fired_lists_none if {
	no_compliant_plan.explain == {
		"reason": "no candidate plan uses an allowed accelerator",
		"reason_zh": "没有候选方案使用允许的加速卡",
		"rule_id": "capacity.no_compliant_plan",
	} with input as fx.with_candidates({"sector": "government"}, ["nvidia-h100-sxm"])
}
