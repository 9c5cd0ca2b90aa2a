# METADATA
# title: Huawei Ascend parts used outside China may violate General Prohibition 10
# description: >-
#   BIS guidance of 2025-05-13 presumes that PRC advanced-computing ICs meeting ECCN 3A090 — it
#   names the Ascend 910B, 910C and 910D — were developed or produced in violation of the EAR, so
#   using, selling or transferring them without BIS authorisation may violate General Prohibition
#   10. An accelerator whose GP10 presumption (accelerators/data.json us_gp10_presumption) is in
#   force at the evaluation time, used outside mainland China, Hong Kong and Macau, is listed as
#   a warning.
# related_resources:
#   - ref: https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-736/section-736.2
#     description: 15 CFR 736.2(b)(10) — General Prohibition 10 (proceeding with transactions with knowledge that a violation has occurred or is about to occur)
#   - ref: https://digitalpolicyalert.org/event/29960-bureau-of-industry-and-security-released-guidance-on-application-of-general-prohibition-10-to-peoples-republic-of-china-advanced-computing-integrated-circuits
#     description: BIS guidance on applying GP10 to PRC advanced-computing ICs (2025-05-13), summary; the bis.gov text was not retrieved
# custom:
#   title_zh: 华为昇腾芯片在境外使用可能违反美国第十项一般禁令
#   kind: violation
#   severity: warn
package tiergate.rules.export.huawei_ascend_gp10

import data.tiergate.lib.export
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_home_regions := data.tiergate.reference.export.gp10.home_regions

warn contains violation if {
	not facts.ctx.region in _home_regions

	# Only the subjects with any `us_gp10_presumption` entry (the catalogue build's index, one
	# object.keys call): most parts have none, and each costs a history lookup otherwise.
	some id in (hardware.subjects & object.keys(data.tiergate.reference.accelerators.with_dated_facts.us_gp10_presumption))
	some presumption in facts.accelerators[id].us_gp10_presumption
	facts.in_force(presumption)
	violation := result.warn(
		rego.metadata.chain(),
		sprintf(
			concat("", [
				"%s accelerator %s is used in region %s: BIS guidance of %s presumes PRC advanced-computing ICs such as the ",
				"Ascend 910B/910C/910D were made in violation of the EAR, so using it outside China may violate General Prohibition 10",
			]),
			[hardware.subject_kind, id, facts.ctx.region, export.date_en(presumption.effective_from)],
		),
		sprintf(
			concat("", [
				"%s加速卡%s：部署于中国境外，美国商务部工业与安全局%s发布的指南推定昇腾910B、910C、910D等",
				"中国先进计算芯片的研发或生产违反美国《出口管理条例》，在境外使用可能违反其第十项一般禁令",
			]),
			[hardware.subject_kind_zh, facts.accelerator_zh(id), export.date_zh(presumption.effective_from)],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("installed in region %s: the warning is for use outside %s", [facts.ctx.region, concat(", ", _home_regions)]),
	sprintf("部署于%s：该提示仅适用于在%s以外使用", [facts.region_zh(facts.ctx.region), concat("、", [facts.region_zh(r) | some r in _home_regions])]),
] if {
	facts.ctx.region in _home_regions
} else := export.no_subjects_reason if {
	count(hardware.subjects) == 0
} else := [
	sprintf("%s accelerator %s is not a PRC advanced-computing IC named by the BIS guidance", [hardware.subject_kind, concat(", ", sort(hardware.subjects))]),
	sprintf("%s加速卡%s不属于美国商务部工业与安全局指南所指的中国先进计算芯片", [hardware.subject_kind_zh, facts.accelerators_zh(hardware.subjects)]),
] if {
	every id in hardware.subjects {
		count(object.get(facts.accelerators, [id, "us_gp10_presumption"], [])) == 0
	}
} else := [
	sprintf("%s accelerator %s: the BIS guidance is not in force at the evaluation time", [hardware.subject_kind, concat(", ", sort(hardware.subjects))]),
	sprintf("%s加速卡%s：评估日期该指南尚未发布", [hardware.subject_kind_zh, facts.accelerators_zh(hardware.subjects)]),
]
