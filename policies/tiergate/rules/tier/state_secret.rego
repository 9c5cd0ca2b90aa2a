# METADATA
# title: State secrets need a classified facility
# description: >-
#   Any state-secret grade (秘密, 机密, 绝密) raises the minimum tier to a classified facility: a
#   classified system is protected by grade and used only after inspection, and state secrets may
#   not be stored or processed on a non-classified system — no cloud or shared hardware qualifies.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (revised 2024-02-27, in force 2024-05-01) Art. 30 (分级保护), Art. 31(3)
# custom:
#   title_zh: 涉及国家秘密须部署于涉密场所
#   exceptable: false
#   kind: tier
#   severity: info
package tiergate.rules.tier.state_secret

import data.tiergate.lib.facts
import data.tiergate.lib.result

_override := data.tiergate.reference.overrides.state_secret

tier_floor contains result.tier_floor(rego.metadata.chain(), _override.tier, message, message_zh) if {
	facts.ctx.state_secret in _override.levels
	message := sprintf(
		"state secret grade %s requires a physically isolated %s (Law on Guarding State Secrets Art. 30-31, BMB17/BMB20)",
		[facts.ctx.state_secret, _override.tier],
	)
	message_zh := sprintf(
		"涉及国家秘密（%s），须部署于物理隔离的%s（保守国家秘密法第三十条、第三十一条，BMB17/BMB20）",
		[data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret], facts.tier_zh[_override.tier]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["the workload holds no state secrets", "该工作负载不涉及国家秘密"]
