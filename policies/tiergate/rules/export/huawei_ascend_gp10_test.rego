package tiergate.rules.export.huawei_ascend_gp10_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.export.huawei_ascend_gp10

_at(context, moment) := fx.with_context(object.union(context, {"evaluation_time": moment}))

test_warn_ascend_used_abroad if {
	huawei_ascend_gp10.warn == {{
		"rule_id": "export.huawei_ascend_gp10",
		"severity": "warn",
		"message": concat("", [
			"requested accelerator huawei-ascend-910c is used in region sg: BIS guidance of ",
			"2025-05-13 presumes PRC advanced-computing ICs such as the Ascend ",
			"910B/910C/910D were made in violation of the EAR, so using it outside China may ",
			"violate General Prohibition 10",
		]),
		"message_zh": "所申请的加速卡华为昇腾910C（双芯）：部署于中国境外，美国商务部工业与安全局2025年5月13日发布的指南推定昇腾910B、910C、910D等中国先进计算芯片的研发或生产违反美国《出口管理条例》，在境外使用可能违反其第十项一般禁令",
	}} with input as fx.with_context({"region": "sg", "requested_accelerator": "huawei-ascend-910c"})
}

test_warn_only_from_the_guidance_date if {
	context := {"region": "my", "requested_accelerator": "huawei-ascend-910b3"}
	huawei_ascend_gp10.warn == set() with input as _at(context, "2025-05-12T23:59:59-04:00")
	count(huawei_ascend_gp10.warn) == 1 with input as _at(context, "2025-05-13T00:00:00-04:00")
}

test_warn_candidates_abroad if {
	warnings := huawei_ascend_gp10.warn with input as fx.with_candidates({"region": "sg"}, ["huawei-ascend-910b3", "cambricon-mlu370-x8"])
	{w.message | some w in warnings} == {concat("", [
		"candidate accelerator huawei-ascend-910b3 is used in region sg: BIS guidance of ",
		"2025-05-13 presumes PRC advanced-computing ICs such as the Ascend ",
		"910B/910C/910D were made in violation of the EAR, so using it outside China may ",
		"violate General Prohibition 10",
	])}
}

test_allow_ascend_in_china if {
	every region in ["cn", "hk", "mo"] {
		huawei_ascend_gp10.warn == set() with input as fx.with_context({"region": region, "requested_accelerator": "huawei-ascend-910c"})
	}
}

test_allow_part_without_presumption_abroad if {
	huawei_ascend_gp10.warn == set() with input as fx.with_context({"region": "sg", "requested_accelerator": "huawei-atlas-300i-duo"})
}

test_explain_home_region if {
	huawei_ascend_gp10.explain == {
		"reason": "installed in region cn: the warning is for use outside cn, hk, mo",
		"reason_zh": "部署于中国内地：该提示仅适用于在中国内地、中国香港、中国澳门以外使用",
		"rule_id": "export.huawei_ascend_gp10",
	} with input as fx.with_context({})
}

test_explain_no_subjects if {
	huawei_ascend_gp10.explain == {
		"reason": "no accelerator to check: none requested and no candidate plan uses an allowed accelerator",
		"reason_zh": "没有需检查的加速卡：未指定所申请的加速卡，且没有使用允许加速卡的候选方案",
		"rule_id": "export.huawei_ascend_gp10",
	} with input as fx.with_candidates({"region": "sg"}, [])
}

test_explain_not_named if {
	huawei_ascend_gp10.explain == {
		"reason": "requested accelerator cambricon-mlu590 is not a PRC advanced-computing IC named by the BIS guidance",
		"reason_zh": "所申请的加速卡寒武纪思元590不属于美国商务部工业与安全局指南所指的中国先进计算芯片",
		"rule_id": "export.huawei_ascend_gp10",
	} with input as fx.with_context({"region": "sg", "requested_accelerator": "cambricon-mlu590"})
}

test_explain_before_the_guidance if {
	huawei_ascend_gp10.explain == {
		"reason": "candidate accelerator huawei-ascend-910b3: the BIS guidance is not in force at the evaluation time",
		"reason_zh": "候选方案中的加速卡华为昇腾910B3：评估日期该指南尚未发布",
		"rule_id": "export.huawei_ascend_gp10",
	} with input as fx.with_context({"region": "sg", "evaluation_time": "2025-01-01T00:00:00+08:00"})
}
