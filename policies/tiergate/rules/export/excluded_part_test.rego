package tiergate.rules.export.excluded_part_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.excluded_part

# The evaluation times either side of each dated fact.
_mid_2025 := "2025-06-01T00:00:00Z"

_today := "2026-12-01T00:00:00Z"

_at(context, moment) := fx.with_context(object.union(context, {"evaluation_time": moment}))

test_deny_new_presumption_of_denial_part if {
	excluded_part.deny == {{
		"rule_id": "export.excluded_part",
		"severity": "deny",
		"message": "requested nvidia-b200-hgx: US export licence required, presumption of denial (since 2023-11-17); procurement new, region cn",
		"message_zh": "所申请的加速卡英伟达B200（HGX B200，180GB）：美国对华出口须申领许可证，且按推定拒绝原则审查（自2023年11月17日起）；采购方式：新购；部署地区：中国内地",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx"})
	excluded_part.exclude == {
		{"rule_id": "export.excluded_part", "accelerator": "nvidia-b200-hgx"},
		{"rule_id": "export.excluded_part", "accelerator": "nvidia-gb200"},
	} with input as fx.with_context({"procurement": "new", "evaluation_time": _today})
}

test_deny_new_part_for_china_headquartered_buyer_abroad if {
	excluded_part.deny == {{
		"rule_id": "export.excluded_part",
		"severity": "deny",
		"message": "requested nvidia-b200-hgx: US export licence required, presumption of denial (since 2023-11-17); procurement new, region sg, buyer headquartered in cn",
		"message_zh": "所申请的加速卡英伟达B200（HGX B200，180GB）：美国对华出口须申领许可证，且按推定拒绝原则审查（自2023年11月17日起）；采购方式：新购；采购方总部位于中国内地，设备部署于中国境外",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx", "region": "sg", "headquarters": "cn"})
}

test_headquarters_defaults_to_china if {
	count(excluded_part.deny) == 1 with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx", "region": "sg"})
}

test_deny_new_part_in_hong_kong_and_macau if {
	every region in ["hk", "mo"] {
		deny := excluded_part.deny with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-gb200", "region": region})
		{v.message | some v in deny} == {sprintf(
			"requested nvidia-gb200: US export licence required, presumption of denial (since 2023-11-17); procurement new, region %s",
			[region],
		)}
	}
}

test_macau_before_its_2023_addition_is_out_of_scope if {
	excluded_part.exclude == set() with input as fx.with_context({"procurement": "new", "region": "mo", "headquarters": "mo", "evaluation_time": "2023-01-17T23:59:59-05:00"})
	count(excluded_part.exclude) > 0 with input as fx.with_context({"procurement": "new", "region": "mo", "headquarters": "mo", "evaluation_time": "2023-01-18T00:00:00-05:00"})
}

test_headquarters_rule_starts_2023_11_17 if {
	context := {"procurement": "new", "region": "sg", "headquarters": "cn"}
	excluded_part.exclude == set() with input as _at(context, "2023-11-16T23:59:59-05:00")
	count(excluded_part.exclude) > 0 with input as _at(context, "2023-11-17T00:00:00-05:00")
}

test_deny_mid_2025_new_h100_and_h200 if {
	every id in ["nvidia-h100-sxm", "nvidia-h200-sxm", "nvidia-a800-80gb-sxm"] {
		count(excluded_part.deny) == 1 with input as fx.with_context({"procurement": "new", "requested_accelerator": id, "evaluation_time": _mid_2025})
	}
}

test_deny_mid_2025_message_dates_the_history_entry if {
	excluded_part.deny == {{
		"rule_id": "export.excluded_part",
		"severity": "deny",
		"message": "requested nvidia-h100-sxm: US export licence required, presumption of denial (since 2022-10-07); procurement new, region cn",
		"message_zh": "所申请的加速卡英伟达H100 80GB SXM5：美国对华出口须申领许可证，且按推定拒绝原则审查（自2022年10月7日起）；采购方式：新购；部署地区：中国内地",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h100-sxm", "evaluation_time": _mid_2025})
}

test_allow_new_h200_from_2026_01_15 if {
	context := {"procurement": "new", "requested_accelerator": "nvidia-h200-sxm"}
	count(excluded_part.deny) == 1 with input as _at(context, "2026-01-14T23:59:59-05:00")
	excluded_part.deny == set() with input as _at(context, "2026-01-15T00:00:00-05:00")
	excluded_part.deny == set() with input as _at(context, _today)
}

test_allow_h100_before_the_october_2022_rule if {
	excluded_part.deny == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h100-sxm", "evaluation_time": "2022-10-06T23:59:59-04:00"})
}

test_allow_rental_and_existing if {
	excluded_part.deny == set() with input as fx.with_context({"procurement": "rental", "requested_accelerator": "nvidia-b200-hgx"})
	excluded_part.exclude == set() with input as fx.with_context({"procurement": "existing"})
}

test_allow_new_case_by_case_part if {
	excluded_part.deny == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h20"})
}

test_allow_outside_china_for_foreign_buyer if {
	excluded_part.exclude == set() with input as fx.with_context({"procurement": "new", "region": "sg", "headquarters": "sg"})
}

test_explain_rental if {
	excluded_part.explain == {
		"reason": "procurement rental: an export status never excludes a part (at most a warning, see export.restricted_part)",
		"reason_zh": "采购方式为租用：出口管制状态不排除加速卡（至多作出提示，见出口许可提示规则）",
		"rule_id": "export.excluded_part",
	} with input as fx.with_context({})
}

test_explain_out_of_scope if {
	excluded_part.explain == {
		"reason": "installed in region sg by a buyer headquartered in sg: the US export rules for China do not reach it",
		"reason_zh": "部署于新加坡，采购方总部位于新加坡：不适用美国对华出口管制规则",
		"rule_id": "export.excluded_part",
	} with input as fx.with_context({"procurement": "new", "region": "sg", "headquarters": "sg"})
}

test_explain_before_the_controls if {
	excluded_part.explain == {
		"reason": "no catalogue accelerator is barred for procurement new at the evaluation time",
		"reason_zh": "评估日期没有加速卡因出口管制不得新购",
		"rule_id": "export.excluded_part",
	} with input as fx.with_context({"procurement": "new", "evaluation_time": "2022-01-01T00:00:00+08:00"})
}
