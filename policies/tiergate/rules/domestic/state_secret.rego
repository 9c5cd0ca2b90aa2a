# METADATA
# title: Domestic accelerators required for state secrets
# description: >-
#   A workload with any state-secret grade uses domestic accelerators only: classified systems
#   must meet national secrecy standards and their equipment is procured domestic.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (2024) Art. 30 — equipment meeting national secrecy standards; BMB17/BMB20 分级保护
# custom:
#   title_zh: 涉及国家秘密须使用国产加速卡
#   exceptable: false
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.state_secret

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_applies if facts.ctx.state_secret in data.tiergate.reference.domestic.state_secret.levels

substitution := result.substitution(rego.metadata.chain(), "required") if _applies

# The IDs this rule excludes, a set: what the decision reads (lib/hardware, through the generated
# lib/registry.rego), with no object built per accelerator; `exclude` spells them out for the
# explanations.
default excluded_ids := set()

excluded_ids := hardware.non_domestic if _applies

exclude contains exclusion if {
	some exclusion in result.exclusions_of(result.rule_id(rego.metadata.chain()), excluded_ids)
}

deny contains violation if {
	_applies
	violation := domestic.requested_violation(
		rego.metadata.chain(),
		sprintf("the workload holds state secrets (%s)", [facts.ctx.state_secret]),
		sprintf("该工作负载涉及国家秘密（%s）", [data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret]]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["the workload holds no state secrets", "该工作负载不涉及国家秘密"]
