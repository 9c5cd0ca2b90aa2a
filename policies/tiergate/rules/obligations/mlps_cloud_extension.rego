# METADATA
# title: MLPS cloud extension for a workload on a cloud tier
# description: >-
#   A workload graded under MLPS whose selected tier is a cloud tier (VPC or cloud servers) meets
#   the cloud-computing extension of GB/T 22239-2019: the cloud platform's own protection level is
#   at least the system's (it hosts no system above its level), and the cloud infrastructure and
#   the customer's data and personal information are located in China.
# related_resources:
#   - ref: https://openstd.samr.gov.cn/bzgk/gb/std_list?p.p2=22239
#     description: GB/T 22239-2019 网络安全等级保护基本要求 — 云计算安全扩展要求
# custom:
#   title_zh: 云上部署的等级保护云计算安全扩展要求
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.mlps_cloud_extension

import data.tiergate.lib.facts
import data.tiergate.lib.mlps
import data.tiergate.lib.result
import data.tiergate.lib.tier

_config := data.tiergate.reference.obligations.mlps_cloud_extension

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	tier.selected in _config.tiers
	facts.in_force(_config)
	message := sprintf(
		concat("", [
			"on %s: the cloud platform must be protected at MLPS level %d or above, its infrastructure and the ",
			"customer's data and personal information located in China (GB/T 22239-2019 cloud extension)",
		]),
		[tier.selected, mlps.level],
	)
	message_zh := sprintf(
		"部署于%s：云计算平台的安全保护等级不得低于%s，云计算基础设施和云服务客户数据、个人信息须位于中国境内（GB/T 22239-2019云计算安全扩展要求）",
		[facts.tier_zh[tier.selected], mlps.level_zh],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["cloud platform", "云计算平台"]

_why_not := [
	sprintf("on %s: the cloud extension applies only on %s", [tier.selected, concat(" or ", _config.tiers)]),
	sprintf(
		"部署于%s：云计算安全扩展要求仅适用于%s",
		[facts.tier_name_zh(tier.selected), facts.tiers_zh(_config.tiers)],
	),
] if {
	not tier.selected in _config.tiers
} else := facts.not_in_force_reason(_config) if {
	not facts.in_force(_config)
}
