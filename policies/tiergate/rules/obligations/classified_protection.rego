# METADATA
# title: Classified protection (分级保护) for state secrets
# description: >-
#   A workload with a state-secret grade is built, tested and operated under BMB17/BMB20
#   classified protection, tested only by the national secrecy evaluation centre.
# related_resources:
#   - ref: https://m.law.iask.sina.com.cn/jx/sh/ggXsRY6Hma.html
#     description: 保守国家秘密法 / BMB17 / BMB20
#   - ref: https://www.itangsoft.com/baike/show-218788.html
#     description: 涉密信息系统的等级划分
# custom:
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.classified_protection

import data.tiergate.lib.facts
import data.tiergate.lib.result

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	grade_zh := data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret]
	message := sprintf(
		"state secret grade %s: BMB17/BMB20 classified protection, tested by the national secrecy evaluation centre",
		[facts.ctx.state_secret],
	)
	message_zh := sprintf("涉及国家秘密（%s）：须按BMB17/BMB20分级保护建设，并由国家保密科技测评机构测评", [grade_zh])
}

catalogue_entry := result.describe(rego.metadata.chain())
