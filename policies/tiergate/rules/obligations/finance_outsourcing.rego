# METADATA
# title: IT-outsourcing risk controls for finance on cloud or rented bare metal
# description: >-
#   A finance workload whose selected tier is a cloud tier (VPC or cloud servers), or dedicated
#   bare metal it rents, entrusts IT activities to a provider — IT outsourcing: concentration-risk
#   management, exit plans, and no outsourcing of core capabilities.
# related_resources:
#   - ref: https://newton.com.tw/wiki/%E9%8A%80%E8%A1%8C%E4%BF%9D%E9%9A%AA%E6%A9%9F%E6%A7%8B%E4%BF%A1%E6%81%AF%E7%A7%91%E6%8A%80%E5%A4%96%E5%8C%85%E9%A2%A8%E9%9A%AA%E7%9B%A3%E7%AE%A1%E8%BE%A6%E6%B3%95/59956743
#     description: 银行保险机构信息科技外包风险监管办法 (银保监办发〔2021〕141号), copy (no primary copy found) — Art. 2 definition of outsourcing
# custom:
#   title_zh: 金融业务上云或租用物理服务器的信息科技外包风险管理
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.finance_outsourcing

import data.tiergate.lib.facts
import data.tiergate.lib.result
import data.tiergate.lib.tier

_config := data.tiergate.reference.obligations.finance_outsourcing

_outsourced := ["on", "部署于"] if {
	tier.selected in _config.tiers
} else := ["on rented", "租用"] if {
	tier.selected in _config.rented_tiers
	facts.ctx.procurement == "rental"
}

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	facts.ctx.sector in _config.sectors
	message := sprintf(
		"finance workload %s %s is IT outsourcing: concentration-risk controls and exit plan (银保监办发〔2021〕141号)",
		[_outsourced[0], tier.selected],
	)
	message_zh := sprintf(
		"金融业务%s%s属于信息科技外包：须落实集中度风险管理和退出预案（银保监办发〔2021〕141号）",
		[_outsourced[1], facts.tier_zh[tier.selected]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("sector %s is outside %s", [facts.ctx.sector, facts.sectors_en(_config.sectors)]),
	sprintf("%s不属于%s", [facts.sector_zh, facts.sectors_zh(_config.sectors)]),
] if {
	not facts.ctx.sector in _config.sectors
} else := [
	sprintf(
		"finance workload on %s (procurement %s) is not IT outsourcing, which is hosting on %s or renting %s",
		[tier.selected, facts.ctx.procurement, concat(" or ", _config.tiers), concat(" or ", _config.rented_tiers)],
	),
	sprintf(
		"金融业务部署于%s不属于信息科技外包（信息科技外包指部署于%s，或租用%s）",
		[facts.tier_name_zh(tier.selected), facts.tiers_zh(_config.tiers), facts.tiers_zh(_config.rented_tiers)],
	),
]
