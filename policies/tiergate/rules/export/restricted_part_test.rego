package tiergate.rules.export.restricted_part_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.restricted_part

_mid_2025 := "2025-06-01T00:00:00Z"

_today := "2026-12-01T00:00:00Z"

_at(context, moment) := fx.with_context(object.union(context, {"evaluation_time": moment}))

test_warn_rental_presumption_of_denial_part if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": concat("", [
			"requested accelerator nvidia-gb200: US export licence required, presumption of ",
			"denial (since 2023-11-17); procurement rental, region cn, so supply may stop",
		]),
		"message_zh": "所申请的加速卡英伟达GB200（GB200 NVL72中的单颗Blackwell GPU）：美国对华出口须申领许可证，且按推定拒绝原则审查（自2023年11月17日起）；采购方式：租用；部署地区：中国内地；供应可能中断",
	}} with input as fx.with_context({"requested_accelerator": "nvidia-gb200"})
}

test_warn_new_case_by_case_part_today if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": "requested accelerator nvidia-h200-sxm: US export licence required, case-by-case review (since 2026-01-15); procurement new, region cn, so supply may stop",
		"message_zh": "所申请的加速卡英伟达H200 141GB SXM5：美国对华出口须申领许可证，按个案审查（自2026年1月15日起）；采购方式：新购；部署地区：中国内地；供应可能中断",
	}} with input as _at({"procurement": "new", "requested_accelerator": "nvidia-h200-sxm"}, _today)
}

test_warn_h100_class_case_by_case_from_2026_01_15 if {
	context := {"procurement": "new", "requested_accelerator": "nvidia-h100-sxm"}
	restricted_part.warn == set() with input as _at(context, "2026-01-14T23:59:59-05:00")
	{w.message | some w in restricted_part.warn} == {concat("", [
		"requested accelerator nvidia-h100-sxm: US export licence required, case-by-case ",
		"review (since 2026-01-15); procurement new, region cn, so supply may stop",
	])} with input as _at(context, "2026-01-15T00:00:00-05:00")
}

test_warn_rented_h20_under_unpublished_review_in_2025 if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": concat("", [
			"requested accelerator nvidia-h20: US export licence required, review policy not ",
			"published (since 2025-04-09); procurement rental, region cn, so supply may stop",
		]),
		"message_zh": "所申请的加速卡英伟达HGX H20 96GB（中国特供版）：美国对华出口须申领许可证，审查政策未公布（自2025年4月9日起）；采购方式：租用；部署地区：中国内地；供应可能中断",
	}} with input as _at({"requested_accelerator": "nvidia-h20"}, _mid_2025)
}

test_allow_h20_before_its_april_2025_licence if {
	restricted_part.warn == set() with input as _at({"requested_accelerator": "nvidia-h20"}, "2025-04-08T23:59:59-04:00")
}

test_warn_existing_part_for_china_headquartered_buyer_abroad if {
	restricted_part.warn == {{
		"rule_id": "export.restricted_part",
		"severity": "warn",
		"message": concat("", [
			"requested accelerator nvidia-b200-hgx: US export licence required, presumption ",
			"of denial (since 2023-11-17); procurement existing, region sg, buyer ",
			"headquartered in cn, so supply may stop",
		]),
		"message_zh": "所申请的加速卡英伟达B200（HGX B200，180GB）：美国对华出口须申领许可证，且按推定拒绝原则审查（自2023年11月17日起）；采购方式：使用已有设备；采购方总部位于中国内地，设备部署于中国境外；供应可能中断",
	}} with input as fx.with_context({"procurement": "existing", "region": "sg", "requested_accelerator": "nvidia-b200-hgx"})
}

test_warn_candidates_when_nothing_requested if {
	warnings := restricted_part.warn with input as fx.with_candidates({"procurement": "new"}, ["nvidia-h20", "nvidia-b200-hgx", "huawei-ascend-910b3"])
	expected := "candidate accelerator nvidia-h20: US export licence required, case-by-case review (since 2026-01-15); procurement new, region cn, so supply may stop"
	{w.message | some w in warnings} == {expected}
}

test_allow_new_presumption_of_denial_part_is_excluded_not_warned if {
	restricted_part.warn == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-b200-hgx"})
}

test_allow_unrestricted_part if {
	restricted_part.warn == set() with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}

test_allow_outside_china_for_foreign_buyer if {
	restricted_part.warn == set() with input as fx.with_context({"region": "sg", "headquarters": "sg", "requested_accelerator": "nvidia-h20"})
}

test_explain_out_of_scope if {
	restricted_part.explain == {
		"reason": "installed in region sg by a buyer headquartered in sg: the US export rules for China do not reach it",
		"reason_zh": "部署于新加坡，采购方总部位于新加坡：不适用美国对华出口管制规则",
		"rule_id": "export.restricted_part",
	} with input as fx.with_context({"region": "sg", "headquarters": "sg", "requested_accelerator": "nvidia-h20"})
}

test_explain_no_subjects if {
	restricted_part.explain == {
		"reason": "no accelerator to check: none requested and no candidate plan uses an allowed accelerator",
		"reason_zh": "没有需检查的加速卡：未指定所申请的加速卡，且没有使用允许加速卡的候选方案",
		"rule_id": "export.restricted_part",
	} with input as fx.with_candidates({}, [])
}

test_explain_domestic_part if {
	restricted_part.explain == {
		"reason": "requested accelerator huawei-ascend-910b3 is domestic: no US export licence applies",
		"reason_zh": "所申请的加速卡华为昇腾910B3为国产加速卡，不涉及美国出口许可",
		"rule_id": "export.restricted_part",
	} with input as fx.with_context({"requested_accelerator": "huawei-ascend-910b3"})
}

test_explain_no_licence_status if {
	restricted_part.explain == {
		"reason": concat("", [
			"requested accelerator nvidia-l20: no export status in force at the evaluation time calls for a licence warning ",
			"for procurement rental",
		]),
		"reason_zh": "所申请的加速卡英伟达L20 48GB（中国特供版）：评估日期没有需就租用提示出口许可的管制状态",
		"rule_id": "export.restricted_part",
	} with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}
