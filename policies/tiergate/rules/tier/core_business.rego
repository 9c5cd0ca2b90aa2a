# METADATA
# title: Core business in finance and healthcare on bare metal (judgement)
# description: >-
#   A core-business workload in the sectors listed in data.tiergate.reference.overrides.core_business
#   (finance and healthcare) runs at least on dedicated bare-metal servers, whatever its data class.
#   This follows the seed ladder; the sector rules cited require protection, not a hosting form.
# related_resources:
#   - ref: https://app.www.gov.cn/govdata/gov/202412/29/523120/article.html
#     description: 银行保险机构数据安全管理办法 (金规〔2024〕24号) — protection planned with the system (no hosting form)
#   - ref: http://withoutpain.net/law_info/1262.html
#     description: 医疗卫生机构网络安全管理办法 (国卫规划发〔2022〕29号), copy (no primary copy found) — no hosting form
# custom:
#   title_zh: 金融、医疗核心业务部署于物理服务器（判断性规则）
#   kind: tier
#   severity: info
package tiergate.rules.tier.core_business

import data.tiergate.lib.facts
import data.tiergate.lib.result

_override := data.tiergate.reference.overrides.core_business

tier_floor contains result.tier_floor(rego.metadata.chain(), _override.tier, message, message_zh) if {
	facts.ctx.core_business == true
	facts.ctx.sector in _override.sectors
	message := sprintf("core business in sector %s needs at least %s (judgement)", [facts.ctx.sector, _override.tier])
	message_zh := sprintf(
		"%s核心业务系统，最低部署层级为%s（判断性规则）",
		[facts.sector_zh, facts.tier_zh[_override.tier]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["not a core business system (context.core_business)", "非核心业务系统"] if {
	facts.ctx.core_business != true
} else := [
	sprintf("core business in sector %s: the floor applies only in %s", [facts.ctx.sector, facts.sectors_en(_override.sectors)]),
	sprintf("%s核心业务系统：该要求仅适用于%s", [facts.sector_zh, facts.sectors_zh(_override.sectors)]),
]
