package tiergate.rules.domestic.finance_phase_in_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.finance_phase_in

_before := {"sector": "finance", "evaluation_time": "2026-12-31T15:59:59Z", "requested_accelerator": "nvidia-l20"}

# 2027-01-01T00:00:00+08:00 is 2026-12-31T16:00:00Z.
_after := object.union(_before, {"evaluation_time": "2026-12-31T16:00:00Z"})

test_warn_before_effective_date if {
	finance_phase_in.warn == {{
		"rule_id": "domestic.finance_phase_in",
		"severity": "warn",
		"message": "finance workloads will need domestic accelerators from 2027-01-01T00:00:00+08:00, so domestic accelerators are preferred; requested non-domestic: nvidia-l20",
		"message_zh": "自 2027-01-01T00:00:00+08:00 起金融行业将须使用国产加速卡，宜优先使用国产加速卡（信创）；所申请的非国产加速卡：nvidia-l20",
	}} with input as fx.with_context(_before)
	finance_phase_in.deny == set() with input as fx.with_context(_before)
	finance_phase_in.exclude == set() with input as fx.with_context(_before)
	finance_phase_in.substitution.level == "preferred" with input as fx.with_context(_before)
}

test_warn_names_non_domestic_candidates if {
	ctx := object.union(_before, {"requested_accelerator": null})
	some warning in finance_phase_in.warn with input as fx.with_candidates(ctx, ["nvidia-l20", "huawei-ascend-910b3", "nvidia-h20"])
	endswith(warning.message, "candidate non-domestic: nvidia-h20, nvidia-l20")
}

test_deny_from_effective_date if {
	finance_phase_in.deny == {{
		"rule_id": "domestic.finance_phase_in",
		"severity": "deny",
		"message": "finance workloads need domestic accelerators since 2027-01-01T00:00:00+08:00, so domestic accelerators are required; requested nvidia-l20 is not domestic",
		"message_zh": "自 2027-01-01T00:00:00+08:00 起金融行业须使用国产加速卡，须使用国产加速卡（信创）；所申请的 nvidia-l20 不是国产加速卡",
	}} with input as fx.with_context(_after)
	finance_phase_in.warn == set() with input as fx.with_context(_after)
	finance_phase_in.substitution.level == "required" with input as fx.with_context(_after)
	count(finance_phase_in.exclude) > 0 with input as fx.with_context(_after)
}

test_allow_domestic_request_before_date if {
	finance_phase_in.warn == set() with input as fx.with_context(object.union(_before, {"requested_accelerator": "huawei-ascend-910b3"}))
}

test_allow_critical_finance_is_left_to_finance_critical if {
	ctx := object.union(_after, {"core_business": true})
	finance_phase_in.deny == set() with input as fx.with_context(ctx)
	not finance_phase_in.substitution with input as fx.with_context(ctx)
}
