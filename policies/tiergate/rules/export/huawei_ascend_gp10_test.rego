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
		"message_zh": "所申请的加速卡 huawei-ascend-910c：部署于中国境外，美国商务部工业与安全局2025年5月13日发布的指南推定昇腾910B、910C、910D等中国先进计算芯片的研发或生产违反美国《出口管理条例》，在境外使用可能违反其第十项一般禁令",
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
