# METADATA
# title: Minimum tier by sector group and data class
# description: >-
#   Sets the minimum deployment tier from the tier matrix (sector group × data class) in
#   data.tiergate.reference.tier_matrix. Each cell records whether it rests on a rule or is a
#   judgement call, with its source; a reviewer changes a cell there, not here.
# related_resources:
#   - ref: https://www.cnpre.com/special/gzwpagepi.php?id=4019
#     description: 数据安全法 Art. 21 / 数据出境安全评估办法 — classified, graded data protection
#   - ref: http://hnisia.com/Home/IndustryDetail/84-316-1
#     description: GB/T 43697-2024 数据分类分级规则 (core > important > general)
#   - ref: http://www.5568108.com/fzjg/gtqkl/qkxw/18421.htm
#     description: 云计算服务安全评估办法 (2019) — assessed clouds for government and CII
#   - ref: https://newton.com.tw/wiki/%E9%8A%80%E8%A1%8C%E4%BF%9D%E9%9A%AA%E6%A9%9F%E6%A7%8B%E4%BF%A1%E6%81%AF%E7%A7%91%E6%8A%80%E5%A4%96%E5%8C%85%E9%A2%A8%E9%9A%AA%E7%9B%A3%E7%AE%A1%E8%BE%A6%E6%B3%95/59956743
#     description: 银行保险机构信息科技外包风险监管办法 (银保监办发〔2021〕141号)
# custom:
#   kind: tier
#   severity: info
package tiergate.rules.tier.sector_matrix

import data.tiergate.lib.facts
import data.tiergate.lib.result

tier_floor contains result.tier_floor(rego.metadata.chain(), cell.tier, message, message_zh) if {
	cell := data.tiergate.reference.tier_matrix.cells[facts.group][facts.ctx.data_class]
	message := sprintf(
		"sector %s (group %s) with %s data needs at least %s (%s)",
		[facts.ctx.sector, facts.group, facts.ctx.data_class, cell.tier, cell.basis],
	)
	message_zh := sprintf(
		"行业 %s（%s）处理%s，最低部署层级为 %s（%s）",
		[facts.ctx.sector, facts.group_zh, facts.data_class_zh, facts.tier_zh[cell.tier], cell.tier],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
