# METADATA
# title: Personal information never on shared cloud
# description: >-
#   A workload that processes personal information (ordinary or sensitive) runs at least in a VPC,
#   never on multi-tenant shared cloud servers.
# related_resources:
#   - ref: https://wechat.estsglobal.com/wechat/law_contents/311
#     description: 个人信息保护法 Art. 28 (sensitive personal information)
#   - ref: http://crsrw.com/falvzixun/12951.html
#     description: 个人信息保护法 — processing rules and separate consent
# custom:
#   kind: tier
#   severity: info
package tiergate.rules.tier.personal_information

import data.tiergate.lib.facts
import data.tiergate.lib.result

_override := data.tiergate.reference.overrides.personal_information

tier_floor contains result.tier_floor(rego.metadata.chain(), _override.tier, message, message_zh) if {
	facts.processes_personal_information
	message := sprintf("personal information is processed, so at least %s (never shared cloud)", [_override.tier])
	message_zh := sprintf("处理个人信息，最低部署层级为 %s（%s），不得使用共享云", [facts.tier_zh[_override.tier], _override.tier])
}

catalogue_entry := result.describe(rego.metadata.chain())
