# METADATA
# title: Data exports that need a CAC security assessment
# description: >-
#   Denies a data export (数据出境) that needs a CAC security assessment under the regime in force
#   (data.tiergate.reference.residency.regimes): important or core data processed outside mainland
#   China, personal information exported by a CII operator, or personal information above the
#   assessment thresholds (`context.cross_border`); and personal information processed offshore
#   whose yearly number of people is not declared, since the path cannot be determined. Exports
#   below the thresholds are obligations.pi_export_contract or exempt.
# related_resources:
#   - ref: https://www.cac.gov.cn/2024-03/22/c_1712776611775634.htm
#     description: 促进和规范数据跨境流动规定 (in force 2024-03-22) Art. 2, 5, 7, 8
#   - ref: https://www.cac.gov.cn/2022-07/07/c_1658811536396503.htm
#     description: 数据出境安全评估办法 (in force 2022-09-01) Art. 4
# custom:
#   title_zh: 须通过数据出境安全评估的数据出境
#   kind: violation
#   severity: deny
package tiergate.rules.residency.data_export

import data.tiergate.lib.facts
import data.tiergate.lib.residency
import data.tiergate.lib.result

deny contains violation if {
	some reason in residency.assessment_reasons
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("%s: a data export that needs a CAC security assessment (%s)", [reason[0], residency.regime.assessment_basis]),
		sprintf("%s，属于数据出境，须通过国家网信部门数据出境安全评估（%s）", [reason[1], residency.regime.assessment_basis_zh]),
	)
}

deny contains violation if {
	residency.undeclared
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			concat("", [
				"personal information processed in region %s is a data export, but the people per year (context.cross_border) ",
				"are not declared: exemption, standard contract or security assessment cannot be told apart",
			]),
			[facts.ctx.region],
		),
		sprintf(
			"在%s处理个人信息属于数据出境，但未申报当年累计向境外提供个人信息的人数，无法判断适用免予申报、标准合同（认证）还是安全评估",
			[facts.region_zh(facts.ctx.region)],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("processed in region %s and no personal information declared as sent abroad", [facts.ctx.region]),
	sprintf("在%s处理，且未申报向境外提供个人信息", [facts.region_zh(facts.ctx.region)]),
] if {
	not residency.offshore
	residency.people + residency.sensitive_people == 0
} else := [
	sprintf(
		concat("", [
			"the data export is below the security assessment: personal information of %d people and sensitive ",
			"personal information of %d people a year, no important or core data offshore, not a CII operator",
		]),
		[residency.people, residency.sensitive_people],
	),
	sprintf(
		"数据出境未达安全评估标准：每年向境外提供%s人的个人信息、%s人的敏感个人信息，未在境外处理重要数据或核心数据，且非关键信息基础设施运营者",
		[facts.people_zh(residency.people), facts.people_zh(residency.sensitive_people)],
	),
]
