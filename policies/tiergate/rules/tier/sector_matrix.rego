# METADATA
# title: Minimum tier by sector group and data class
# description: >-
#   Sets the minimum deployment tier from the tier matrix (sector group × data class) in
#   data.tiergate.reference.tier_matrix. Each cell records whether it rests on a rule or is a
#   judgement call, with its source; a reviewer changes a cell there, not here. Sensitive
#   personal information counts as sensitive data at least (PIPL Art. 28).
# related_resources:
#   - ref: https://www.gov.cn/zhengce/content/202409/content_6977766.htm
#     description: 网络数据安全管理条例 (2025) — data classified and graded; important data duties
#   - ref: https://www.cac.gov.cn/2021-08/20/c_1631050028355286.htm
#     description: 个人信息保护法 Art. 28 — sensitive personal information
#   - ref: https://www.gov.cn/zhengce/content/2021-08/17/content_5631671.htm
#     description: 关键信息基础设施安全保护条例 (2021) — protection on top of MLPS for designated operators
# custom:
#   title_zh: 按行业分组和数据级别确定的最低部署层级
#   kind: tier
#   severity: info
package tiergate.rules.tier.sector_matrix

import data.tiergate.lib.facts
import data.tiergate.lib.result

_matrix := data.tiergate.reference.tier_matrix

default _lift_en := ""

_lift_en := " (sensitive personal information counts as sensitive data)" if facts.data_class_lifted

default _lift_zh := ""

_lift_zh := "（敏感个人信息按敏感数据对待）" if facts.data_class_lifted

tier_floor contains result.tier_floor(rego.metadata.chain(), cell.tier, message, message_zh) if {
	cell := _matrix.cells[facts.group][facts.data_class]
	message := sprintf(
		"sector %s (group %s) with %s data%s needs at least %s (%s)",
		[facts.ctx.sector, facts.group, facts.data_class, _lift_en, cell.tier, cell.basis],
	)
	message_zh := sprintf(
		"%s处理%s%s，最低部署层级为%s（%s）",
		[facts.sector_zh, facts.data_class_zh, _lift_zh, facts.tier_zh[cell.tier], _matrix.basis_names_zh[cell.basis]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("the tier matrix has no cell for group %s and %s data", [facts.group, facts.data_class]),
	sprintf("层级矩阵中没有该行业分组处理%s的单元格", [facts.data_class_zh]),
]
