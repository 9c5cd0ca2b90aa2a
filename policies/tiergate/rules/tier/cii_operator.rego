# METADATA
# title: Minimum tier for a designated critical-information-infrastructure operator
# description: >-
#   A workload of an organisation designated as a critical-information-infrastructure (关键信息基础设施)
#   operator (`context.cii_operator`) gets at least the tier of the CII row of the tier matrix
#   (data.tiergate.reference.tier_matrix.cii_operator_cells), whatever its sector. CII status is a
#   designation by the protection authorities, not a sector.
# related_resources:
#   - ref: https://www.gov.cn/zhengce/content/2021-08/17/content_5631671.htm
#     description: 关键信息基础设施安全保护条例 (2021) Art. 2 (scope), Art. 9-10 (designation), Art. 6 (protection on top of MLPS)
# custom:
#   title_zh: 关键信息基础设施运营者的最低部署层级
#   kind: tier
#   severity: info
package tiergate.rules.tier.cii_operator

import data.tiergate.lib.facts
import data.tiergate.lib.result

_matrix := data.tiergate.reference.tier_matrix

tier_floor contains result.tier_floor(rego.metadata.chain(), cell.tier, message, message_zh) if {
	facts.ctx.cii_operator == true
	cell := _matrix.cii_operator_cells[facts.data_class]
	message := sprintf(
		"a designated CII operator with %s data needs at least %s (%s)",
		[facts.data_class, cell.tier, cell.basis],
	)
	message_zh := sprintf(
		"关键信息基础设施运营者处理%s，最低部署层级为%s（%s）",
		[facts.data_class_zh, facts.tier_zh[cell.tier], _matrix.basis_names_zh[cell.basis]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["not a designated CII operator (context.cii_operator)", "非关键信息基础设施运营者"] if {
	facts.ctx.cii_operator != true
} else := [
	sprintf("a CII operator with %s data: the tier matrix sets no floor for it", [facts.data_class]),
	sprintf("关键信息基础设施运营者处理%s：层级矩阵未规定最低层级", [facts.data_class_zh]),
]
