# METADATA
# title: Personal information as a rule not on shared cloud servers (judgement)
# description: >-
#   A workload that processes personal information (ordinary or sensitive) runs at least in a VPC,
#   as a rule not on multi-tenant cloud servers or containers. A judgement: PIPL requires
#   security measures (Art. 51), not a hosting form.
# related_resources:
#   - ref: https://www.cac.gov.cn/2021-08/20/c_1631050028355286.htm
#     description: 个人信息保护法 Art. 51 (security measures), Art. 28 (sensitive personal information)
# custom:
#   title_zh: 个人信息原则上不部署于共享云服务器（判断性规则）
#   kind: tier
#   severity: info
package tiergate.rules.tier.personal_information

import data.tiergate.lib.facts
import data.tiergate.lib.result

_override := data.tiergate.reference.overrides.personal_information

tier_floor contains result.tier_floor(rego.metadata.chain(), _override.tier, message, message_zh) if {
	facts.processes_personal_information
	message := sprintf("personal information is processed, so at least %s: as a rule not on shared cloud (judgement)", [_override.tier])
	message_zh := sprintf(
		"处理个人信息，最低部署层级为%s，原则上不使用%s（判断性规则）",
		[facts.tier_zh[_override.tier], facts.tier_zh.shared_cloud],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["no personal information is processed", "不处理个人信息"]
