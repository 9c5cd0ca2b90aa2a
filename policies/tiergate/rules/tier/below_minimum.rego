# METADATA
# title: Requested tier below the minimum
# description: >-
#   Denies a request whose requested tier is lower on the security ladder than the minimum the
#   tier rules set (or is not a tier of the ladder). A tier at or above the minimum is allowed.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (2024) Art. 30-31 — classified systems
#   - ref: https://www.gov.cn/zhengce/content/202409/content_6977766.htm
#     description: 网络数据安全管理条例 (2025) — protection by data class
# custom:
#   title_zh: 所申请的部署层级低于最低要求
#   kind: violation
#   severity: deny
package tiergate.rules.tier.below_minimum

import data.tiergate.lib.facts
import data.tiergate.lib.result
import data.tiergate.lib.tier

deny contains violation if {
	rank := facts.tier_rank[tier.requested]
	rank < facts.tier_rank[tier.minimum]
	rule_ids := [entry.rule_id | some entry in tier.basis]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("requested tier %s is below the minimum %s set by %s", [tier.requested, tier.minimum, concat(", ", rule_ids)]),
		sprintf(
			"所申请的部署层级%s低于最低要求%s（依据%s规则）",
			[facts.tier_zh[tier.requested], facts.tier_zh[tier.minimum], concat("、", [sprintf("“%s”", [facts.rule_title_zh(id)]) | some id in rule_ids])],
		),
	)
}

deny contains violation if {
	tier.requested != null
	not facts.tier_rank[tier.requested]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("requested tier %s is not a tier of the ladder (%s)", [tier.requested, concat(", ", tier.allowed)]),
		sprintf("所申请的部署层级“%s”不在层级列表中", [tier.requested]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("no tier is requested: the minimum %s is selected", [tier.minimum]),
	sprintf("未指定所申请的部署层级，按最低要求选定%s", [facts.tier_zh[tier.minimum]]),
] if {
	tier.requested == null
} else := [
	sprintf("requested tier %s is not below the minimum %s", [tier.requested, tier.minimum]),
	sprintf(
		"所申请的部署层级%s不低于最低要求%s",
		[facts.tier_name_zh(tier.requested), facts.tier_zh[tier.minimum]],
	),
]
