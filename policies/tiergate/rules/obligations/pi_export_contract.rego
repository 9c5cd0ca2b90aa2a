# METADATA
# title: Standard contract or certification for a personal-information export
# description: >-
#   A personal-information export (数据出境) below the security-assessment thresholds but above the
#   exemption of the regime in force (`context.cross_border`) needs a filed standard contract for
#   personal-information export or a personal-information protection certification.
# related_resources:
#   - ref: https://www.cac.gov.cn/2024-03/22/c_1712776611775634.htm
#     description: 促进和规范数据跨境流动规定 (in force 2024-03-22) Art. 5(4), Art. 8
#   - ref: https://www.cac.gov.cn/2021-08/20/c_1631050028355286.htm
#     description: 个人信息保护法 Art. 38 — security assessment, certification or standard contract
# custom:
#   title_zh: 个人信息出境标准合同或认证
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.pi_export_contract

import data.tiergate.lib.facts
import data.tiergate.lib.residency
import data.tiergate.lib.result

obligation contains result.obligation(
	rego.metadata.chain(),
	sprintf(
		"personal information of %d people and sensitive personal information of %d people exported a year: a filed standard contract or a certification (%s)",
		[residency.people, residency.sensitive_people, residency.regime.contract_basis],
	),
	sprintf(
		"每年向境外提供%s人的个人信息、%s人的敏感个人信息：须订立个人信息出境标准合同并备案，或通过个人信息保护认证（%s）",
		[facts.people_zh(residency.people), facts.people_zh(residency.sensitive_people), residency.regime.contract_basis_zh],
	),
) if {
	residency.contract
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	"the data export needs a security assessment instead (residency.data_export)",
	"该数据出境须通过安全评估（见“须通过数据出境安全评估的数据出境”规则），不适用标准合同",
] if {
	count(residency.assessment_reasons) > 0
} else := [
	"the people per year are not declared (residency.data_export)",
	"未申报向境外提供个人信息的人数（见“须通过数据出境安全评估的数据出境”规则）",
] if {
	residency.undeclared
} else := [
	"no personal information is declared as exported (context.cross_border)",
	"未申报向境外提供个人信息",
] if {
	residency.people + residency.sensitive_people == 0
} else := [
	sprintf(
		"personal information of %d people a year, below the exemption of %d, and no sensitive personal information",
		[residency.people, residency.regime.exempt_people_below],
	),
	sprintf(
		"每年向境外提供%s人的个人信息，低于%s人的免予申报标准，且不涉及敏感个人信息",
		[facts.people_zh(residency.people), facts.people_zh(residency.regime.exempt_people_below)],
	),
]
