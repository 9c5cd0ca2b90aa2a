# METADATA
# title: Domestic accelerators required for defense and government
# description: >-
#   In the sectors listed in data.tiergate.reference.domestic.sector_mandate (defense and party &
#   government), only domestic accelerators are offered and a requested non-domestic accelerator
#   is denied. A judgement: no published rule text mandates accelerators, though reported guidance
#   for state-funded data centres (2025-11) and the 信创 procurement lists point the same way.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (2024) Art. 30 — classified systems use equipment meeting national secrecy standards
#   - ref: https://www.itsec.gov.cn/
#     description: 中国信息安全测评中心 — 安全可靠测评 results used by government procurement (no published accelerator mandate; judgement)
# custom:
#   title_zh: 国防和党政机关须使用国产加速卡
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.sector_mandate

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_applies if facts.ctx.sector in data.tiergate.reference.domestic.sector_mandate.sectors

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
		sprintf("sector %s is under the 信创 mandate (judgement)", [facts.ctx.sector]),
		sprintf("%s属于信创强制范围（判断性规则）", [facts.sector_zh]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_mandated := data.tiergate.reference.domestic.sector_mandate.sectors

_why_not := [
	sprintf("sector %s is not under the 信创 mandate (%s)", [facts.ctx.sector, facts.sectors_en(_mandated)]),
	sprintf("%s不属于信创强制范围（%s）", [facts.sector_zh, facts.sectors_zh(_mandated)]),
]
