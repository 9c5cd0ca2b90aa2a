package tiergate.rules.export.china_import_restriction_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.china_import_restriction

_at(context, moment) := fx.with_context(object.union(context, {"evaluation_time": moment}))

test_warn_h20_after_cac_summons if {
	china_import_restriction.warn == {{
		"rule_id": "export.china_import_restriction",
		"severity": "warn",
		"message": concat("", [
			"requested accelerator nvidia-h20: Chinese authorities restrict its purchase ",
			"since 2025-07-31 (the CAC summoned NVIDIA over backdoor security risks of the ",
			"H20 and buyers were told to avoid it); procurement new",
		]),
		"message_zh": "所申请的加速卡英伟达HGX H20 96GB（中国特供版）：自2025年7月31日起我国监管部门限制采购（国家网信办就H20算力芯片漏洞后门安全风险约谈英伟达公司，企业被引导避免采购）；采购方式：新购",
	}} with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h20"})
}

test_allow_h20_before_cac_summons if {
	china_import_restriction.warn == set() with input as _at({"procurement": "new", "requested_accelerator": "nvidia-h20"}, "2025-07-30T23:59:59+08:00")
	count(china_import_restriction.warn) == 1 with input as _at({"procurement": "new", "requested_accelerator": "nvidia-h20"}, "2025-07-31T00:00:00+08:00")
}

test_h200_stance_from_blocked_to_conditional if {
	context := {"procurement": "new", "requested_accelerator": "nvidia-h200-sxm"}
	china_import_restriction.warn == set() with input as _at(context, "2026-01-13T23:59:59+08:00")
	blocked := {w.message_zh | some w in china_import_restriction.warn} with input as _at(context, "2026-01-20T00:00:00+08:00")
	blocked == {"所申请的加速卡英伟达H200 141GB SXM5：自2026年1月14日起我国监管部门限制采购（海关告知报关代理H200不得入境，企业被要求非必要不采购）；采购方式：新购"}
	conditional := {w.message_zh | some w in china_import_restriction.warn} with input as _at(context, "2026-01-28T00:00:00+08:00")
	conditional == {"所申请的加速卡英伟达H200 141GB SXM5：自2026年1月28日起我国监管部门仅有条件准许进口（首批仅批准少数企业进口，其他企业须逐案申请）；采购方式：新购"}
}

test_warn_rtx_pro_6000d_candidate_for_mainland_buyer_abroad if {
	warnings := china_import_restriction.warn with input as fx.with_candidates({"region": "sg"}, ["nvidia-rtx-pro-6000d", "nvidia-l20"])
	{w.message | some w in warnings} == {concat("", [
		"candidate accelerator nvidia-rtx-pro-6000d: Chinese authorities restrict its ",
		"purchase since 2025-09-17 (the CAC told large buyers to stop testing it and ",
		"cancel their orders); procurement rental",
	])}
}

test_allow_existing_hardware if {
	china_import_restriction.warn == set() with input as fx.with_context({"procurement": "existing", "requested_accelerator": "nvidia-h20"})
}

test_allow_outside_mainland_for_foreign_buyer if {
	china_import_restriction.warn == set() with input as fx.with_context({"region": "hk", "headquarters": "hk", "requested_accelerator": "nvidia-h20"})
}

test_allow_part_without_china_side_stance if {
	china_import_restriction.warn == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-l20"})
}

test_explain_abroad if {
	china_import_restriction.explain == {
		"reason": "installed in region sg by a buyer headquartered in sg: Chinese import guidance does not reach it",
		"reason_zh": "部署于新加坡，采购方总部位于新加坡：不适用中国主管部门的进口指导",
		"rule_id": "export.china_import_restriction",
	} with input as fx.with_context({"region": "sg", "headquarters": "sg"})
}

test_explain_installed_hardware if {
	china_import_restriction.explain == {
		"reason": "procurement existing: hardware already installed is not being imported",
		"reason_zh": "采购方式为使用已有设备：已安装的设备不涉及进口",
		"rule_id": "export.china_import_restriction",
	} with input as fx.with_context({"procurement": "existing"})
}

test_explain_no_subjects if {
	china_import_restriction.explain == {
		"reason": "no accelerator to check: none requested and no candidate plan uses an allowed accelerator",
		"reason_zh": "没有需检查的加速卡：未指定所申请的加速卡，且没有使用允许加速卡的候选方案",
		"rule_id": "export.china_import_restriction",
	} with input as fx.with_candidates({}, [])
}

test_explain_no_stance_for_the_part if {
	china_import_restriction.explain == {
		"reason": "requested accelerator nvidia-l20: no Chinese import guidance in force at the evaluation time",
		"reason_zh": "所申请的加速卡英伟达L20 48GB（中国特供版）：评估日期没有适用的中国进口指导",
		"rule_id": "export.china_import_restriction",
	} with input as fx.with_context({"requested_accelerator": "nvidia-l20"})
}
