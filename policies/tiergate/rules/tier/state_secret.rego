# METADATA
# title: State secrets need a classified facility
# description: >-
#   Any state-secret grade (秘密, 机密, 绝密) raises the minimum tier to a classified facility:
#   BMB17/BMB20 require classified systems to be physically isolated from the Internet, which no
#   cloud or shared hardware provides.
# related_resources:
#   - ref: https://m.law.iask.sina.com.cn/jx/sh/ggXsRY6Hma.html
#     description: 保守国家秘密法 / BMB17 涉及国家秘密的信息系统分级保护技术要求, BMB20 管理规范
#   - ref: https://www.itangsoft.com/baike/show-218788.html
#     description: 涉密信息系统的等级划分 (秘密 ≥ 等保三级, 机密 ≥ 四级, 绝密 closed building)
#   - ref: https://jiubiao.wp.webpark.vip/index.php/secret/?secret_id=2
#     description: 涉密信息系统分级保护 — physical isolation is the floor
# custom:
#   kind: tier
#   severity: info
package tiergate.rules.tier.state_secret

import data.tiergate.lib.facts
import data.tiergate.lib.result

_override := data.tiergate.reference.overrides.state_secret

tier_floor contains result.tier_floor(rego.metadata.chain(), _override.tier, message, message_zh) if {
	facts.ctx.state_secret in _override.levels
	message := sprintf(
		"state secret grade %s requires a physically isolated %s (BMB17/BMB20)",
		[facts.ctx.state_secret, _override.tier],
	)
	message_zh := sprintf(
		"涉及国家秘密（%s），须在物理隔离的%s中部署（BMB17/BMB20）",
		[data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret], facts.tier_zh[_override.tier]],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
