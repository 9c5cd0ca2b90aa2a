# METADATA
# title: PIPL separate consent and impact assessment for sensitive personal information
# description: >-
#   Processing sensitive personal information needs the individual's separate consent and a
#   personal-information protection impact assessment beforehand.
# related_resources:
#   - ref: https://www.cac.gov.cn/2021-08/20/c_1631050028355286.htm
#     description: 个人信息保护法 Art. 28 (sensitive personal information), Art. 29 (separate consent), Art. 55-56 (impact assessment)
# custom:
#   title_zh: 敏感个人信息的单独同意和影响评估
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.pipl_sensitive_pi

import data.tiergate.lib.facts
import data.tiergate.lib.result

obligation contains result.obligation(
	rego.metadata.chain(),
	"sensitive personal information is processed: separate consent and a PI protection impact assessment (PIPL Art. 29, 55)",
	"处理敏感个人信息：须取得个人单独同意并事前开展个人信息保护影响评估（个人信息保护法第二十九条、第五十五条）",
) if {
	facts.ctx.sensitive_personal_information == true
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["no sensitive personal information is processed", "不处理敏感个人信息"]
