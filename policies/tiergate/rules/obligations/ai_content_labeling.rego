# METADATA
# title: Labelling of AI-generated content for a public service
# description: >-
#   From 2025-09-01, a service offered to the public that generates or synthesises content adds
#   explicit labels to generated text, audio, images and video and implicit labels (metadata) to
#   the files, and states its labelling in the user agreement (mandatory standard GB 45438-2025).
# related_resources:
#   - ref: https://www.cac.gov.cn/2025-03/14/c_1743654684782215.htm
#     description: 人工智能生成合成内容标识办法 (in force 2025-09-01) Art. 4, 5, 7
#   - ref: https://openstd.samr.gov.cn/bzgk/gb/std_list?p.p2=45438
#     description: GB 45438-2025 网络安全技术 人工智能生成合成内容标识方法 (mandatory, in force 2025-09-01)
# custom:
#   title_zh: 面向公众服务的人工智能生成合成内容标识
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.ai_content_labeling

import data.tiergate.lib.facts
import data.tiergate.lib.result

obligation contains result.obligation(
	rego.metadata.chain(),
	"public service generating content: explicit and implicit labels on AI-generated content and the labelling rules in the user agreement (标识办法, GB 45438-2025)",
	"面向公众提供生成合成内容服务：须对生成合成内容添加显式标识和隐式标识，并在用户服务协议中说明标识方法（《人工智能生成合成内容标识办法》、GB 45438-2025）",
) if {
	facts.ctx.public_service == true
	facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["public service", "面向公众提供服务"]

_why_not := ["not a public service (context.public_service)", "不面向公众提供服务"] if {
	facts.ctx.public_service != true
} else := facts.rule_not_in_force_reason(result.rule_id(rego.metadata.chain())) if {
	not facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}
