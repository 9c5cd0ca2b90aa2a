# METADATA
# title: Requested tier below the minimum
# description: >-
#   Denies a request whose requested tier is lower on the security ladder than the minimum the
#   tier rules set (or is not a tier of the ladder). A tier at or above the minimum is allowed.
# related_resources:
#   - ref: https://m.law.iask.sina.com.cn/jx/sh/ggXsRY6Hma.html
#     description: BMB17/BMB20 — classified systems physically isolated
#   - ref: http://www.5568108.com/fzjg/gtqkl/qkxw/18421.htm
#     description: 云计算服务安全评估办法 (2019)
#   - ref: http://www.freeoa.net/osuport/sysec/insurance-ases-levtt_3546.html
#     description: 网络安全等级保护 (GB/T 22239-2019) levels
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.tier.below_minimum

import data.tiergate.lib.facts
import data.tiergate.lib.result
import data.tiergate.lib.tier

deny contains violation if {
	rank := facts.tier_rank[tier.requested]
	rank < facts.tier_rank[tier.minimum]
	reasons := concat(", ", [entry.rule_id | some entry in tier.basis])
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("requested tier %s is below the minimum %s set by %s", [tier.requested, tier.minimum, reasons]),
		sprintf(
			"所申请的部署层级 %s（%s）低于最低要求 %s（%s），依据规则：%s",
			[facts.tier_zh[tier.requested], tier.requested, facts.tier_zh[tier.minimum], tier.minimum, reasons],
		),
	)
}

deny contains violation if {
	tier.requested != null
	not facts.tier_rank[tier.requested]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("requested tier %s is not a tier of the ladder (%s)", [tier.requested, concat(", ", tier.allowed)]),
		sprintf("所申请的部署层级 %s 不在层级列表中", [tier.requested]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
