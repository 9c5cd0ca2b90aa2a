# METADATA
# title: Government on VPC uses an assessed government cloud (政务云)
# description: >-
#   A government workload whose selected tier is a VPC runs only on a cloud that passed the
#   云计算服务安全评估 (an assessed 政务云), inside the e-government extranet.
# related_resources:
#   - ref: http://www.5568108.com/fzjg/gtqkl/qkxw/18421.htm
#     description: 云计算服务安全评估办法 (2019年第2号)
#   - ref: https://www.cac.gov.cn/2025-10/10/c_1761819470118621.htm
#     description: 政务领域人工智能大模型部署应用指引 (2025-10)
# custom:
#   title_zh: 政务工作负载使用通过安全评估的政务云
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.government_cloud

import data.tiergate.lib.facts
import data.tiergate.lib.result
import data.tiergate.lib.tier

_config := data.tiergate.reference.obligations.government_cloud

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	facts.ctx.sector in _config.sectors
	tier.selected in _config.tiers
	message := sprintf(
		"government workload on %s: use only a cloud that passed the cloud-service security assessment (政务云)",
		[tier.selected],
	)
	message_zh := sprintf(
		"政务工作负载部署于%s：须使用通过云计算服务安全评估的政务云",
		[facts.tier_zh[tier.selected]],
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
	sprintf("government workload on %s: the 政务云 assessment applies only on %s", [tier.selected, concat(" or ", _config.tiers)]),
	sprintf(
		"政务工作负载部署于%s：政务云安全评估要求仅适用于%s",
		[facts.tier_name_zh(tier.selected), facts.tiers_zh(_config.tiers)],
	),
]
