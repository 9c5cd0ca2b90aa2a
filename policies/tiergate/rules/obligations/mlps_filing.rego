# METADATA
# title: MLPS (等保) filing at the level the data implies
# description: >-
#   Every workload that holds no state secret is graded, filed and assessed under the Multi-Level
#   Protection Scheme (GB/T 22239-2019) at the level its data class implies (sensitive personal
#   information counts as sensitive data), raised where a sector grades its core business higher
#   (healthcare: level 3), per data.tiergate.reference.obligations.mlps. A state-secret system is
#   graded under 分级保护 instead (obligations.classified_protection). The Cybersecurity Law article
#   cited follows the evaluation date (renumbered on 2026-01-01).
# related_resources:
#   - ref: http://www.npc.gov.cn/npc/c2/c30834/202510/t20251028_449048.html
#     description: 关于修改《中华人民共和国网络安全法》的决定 (2025-10-28, in force 2026-01-01)
#   - ref: https://www.cac.gov.cn/2025-12/29/c_1768735112911946.htm
#     description: 中华人民共和国网络安全法 (2025 amended text) — Art. 23 网络安全等级保护制度
#   - ref: https://www.cac.gov.cn/2016-11/07/c_1119867116.htm
#     description: 中华人民共和国网络安全法 (2016) — Art. 21 网络安全等级保护制度 (until 2025-12-31)
# custom:
#   title_zh: 按数据级别确定的等级保护定级备案
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.mlps_filing

import data.tiergate.lib.facts
import data.tiergate.lib.mlps
import data.tiergate.lib.result

default _why_en := ""

_why_en := sprintf(", %s core business", [facts.ctx.sector]) if mlps.raised_by_core_business

default _why_zh := ""

_why_zh := sprintf("，%s核心业务系统", [facts.sector_zh]) if mlps.raised_by_core_business

obligation contains result.obligation(
	rego.metadata.chain(),
	sprintf(
		"MLPS (GB/T 22239-2019) level %d grading, filing and assessment (Cybersecurity Law Art. %d): %s data%s",
		[mlps.level, mlps.law_article.article, facts.data_class, _why_en],
	),
	sprintf(
		"%s%s：须按网络安全等级保护%s定级备案并开展等级测评（网络安全法%s）",
		[facts.data_class_zh, _why_zh, mlps.level_zh, mlps.law_article.article_zh],
	),
)

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := [
	"the MLPS level or the Cybersecurity Law article in force cannot be determined (evaluation time cannot be parsed)",
	"无法确定等级保护级别或现行网络安全法条款（评估时间无法解析）",
]

_why_not := [
	sprintf("state secret grade %s: classified protection instead of MLPS filing (obligations.classified_protection)", [facts.ctx.state_secret]),
	sprintf(
		"涉及国家秘密（%s）：按分级保护要求管理（见涉及国家秘密的分级保护义务），不适用等级保护定级备案",
		[data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret]],
	),
] if {
	facts.ctx.state_secret != "none"
}
