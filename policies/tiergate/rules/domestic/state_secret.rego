# METADATA
# title: Domestic accelerators required for state secrets
# description: >-
#   A workload with any state-secret grade uses domestic accelerators only: classified systems
#   must meet national secrecy standards and their equipment is procured domestic.
# related_resources:
#   - ref: https://m.law.iask.sina.com.cn/jx/sh/ggXsRY6Hma.html
#     description: 保守国家秘密法 / BMB17 / BMB20 分级保护
#   - ref: https://nanjing.11467.com/info/38958393.htm
#     description: 保密室设备配置标准 — classified terminals and systems procured as domestic equipment
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.state_secret

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.result

_applies if facts.ctx.state_secret in data.tiergate.reference.domestic.state_secret.levels

substitution := result.substitution(rego.metadata.chain(), "required") if _applies

exclude contains exclusion if {
	_applies
	some exclusion in domestic.exclusions(rego.metadata.chain())
}

deny contains violation if {
	_applies
	violation := domestic.requested_violation(
		rego.metadata.chain(),
		sprintf("the workload holds state secrets (%s)", [facts.ctx.state_secret]),
		sprintf("该工作负载涉及国家秘密（%s）", [facts.ctx.state_secret]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
