package tiergate.rules.domestic.finance_phase_in_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.finance_phase_in

# The rule used to turn into a deny at 2027-01-01T00:00:00+08:00 (2026-12-31T16:00:00Z), on a
# misread source; it is a preference on both sides of that instant and for every procurement.
_before := {"sector": "finance", "evaluation_time": "2026-12-31T15:59:59Z", "requested_accelerator": "nvidia-l20"}

_after := object.union(_before, {"evaluation_time": "2026-12-31T16:00:00Z"})

_warning := {{
	"rule_id": "domestic.finance_phase_in",
	"severity": "warn",
	"message": concat("", [
		"finance institutions are moving to 信创 (judgement: no published rule requires domestic accelerators here),",
		" so domestic accelerators are preferred; requested non-domestic: nvidia-l20",
	]),
	"message_zh": "金融行业推进信创（判断性规则：现行规定未要求此类金融业务使用国产加速卡），宜优先使用国产加速卡（信创）；所申请的非国产加速卡：英伟达L20 48GB（中国特供版）",
}}

test_warn_on_both_sides_of_the_former_date if {
	every context in [_before, _after] {
		finance_phase_in.warn == _warning with input as fx.with_context(context)
		finance_phase_in.substitution == {"rule_id": "domestic.finance_phase_in", "level": "preferred"} with input as fx.with_context(context)
	}
}

test_warn_names_non_domestic_candidates if {
	ctx := object.union(_after, {"requested_accelerator": null})
	some warning in finance_phase_in.warn with input as fx.with_candidates(ctx, ["nvidia-l20", "huawei-ascend-910b3", "nvidia-h20"])
	endswith(warning.message, "candidate non-domestic: nvidia-h20, nvidia-l20")
	endswith(warning.message_zh, "候选方案中的非国产加速卡：英伟达HGX H20 96GB（中国特供版）、英伟达L20 48GB（中国特供版）")
}

test_allow_domestic_request if {
	finance_phase_in.warn == set() with input as fx.with_context(object.union(_after, {"requested_accelerator": "huawei-ascend-910b3"}))
}

test_allow_critical_finance_is_left_to_finance_critical if {
	ctx := object.union(_after, {"core_business": true})
	finance_phase_in.warn == set() with input as fx.with_context(ctx)
	not finance_phase_in.substitution with input as fx.with_context(ctx)
}

test_allow_other_sectors if {
	not finance_phase_in.substitution with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}

test_explain_other_sector if {
	finance_phase_in.explain == {
		"reason": "sector healthcare is outside finance",
		"reason_zh": "医疗卫生行业不属于金融行业",
		"rule_id": "domestic.finance_phase_in",
	} with input as fx.with_context({"sector": "healthcare"})
}

test_explain_left_to_finance_critical if {
	finance_phase_in.explain == {
		"reason": "left to domestic.finance_critical: a finance workload with important data",
		"reason_zh": "由“关键金融业务须使用国产加速卡”规则处理：金融行业重要数据",
		"rule_id": "domestic.finance_phase_in",
	} with input as fx.with_context({"sector": "finance", "data_class": "important"})
}

test_explain_when_fired if {
	finance_phase_in.explain == {
		"reason": "finance workload preferring domestic accelerators",
		"reason_zh": "金融业务宜优先使用国产加速卡",
		"rule_id": "domestic.finance_phase_in",
	} with input as fx.with_context({"sector": "finance"})
}
