# METADATA
# title: Domestic accelerators preferred in the 信创 "8" sectors
# description: >-
#   In the sectors listed in data.tiergate.reference.domestic.sector_preference (energy, telecom,
#   transport, education, healthcare), domestic accelerators are preferred: a non-domestic one is
#   a warning, never a deny. The sector list is the industry's "2+8+N" framing, a judgement.
# related_resources:
#   - ref: https://chinapp.net.cn/pinpaidongtai/2025/0102/11753.html
#     description: 信创产业五年 — the "2+8+N" industry framing (industry press, not a rule; judgement)
# custom:
#   title_zh: 信创重点行业宜优先使用国产加速卡
#   kind: violation
#   severity: warn
package tiergate.rules.domestic.sector_preference

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.result

_applies if facts.ctx.sector in data.tiergate.reference.domestic.sector_preference.sectors

substitution := result.substitution(rego.metadata.chain(), "preferred") if _applies

warn contains violation if {
	_applies
	violation := domestic.preference_warning(
		rego.metadata.chain(),
		sprintf("sector %s is in the 信创 key industries (judgement)", [facts.ctx.sector]),
		sprintf("%s属于信创重点行业（判断性规则）", [facts.sector_zh]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_preferred := data.tiergate.reference.domestic.sector_preference.sectors

_why_not := [
	sprintf("sector %s is not a 信创 key industry (%s)", [facts.ctx.sector, facts.sectors_en(_preferred)]),
	sprintf("%s不属于信创重点行业（%s）", [facts.sector_zh, facts.sectors_zh(_preferred)]),
]
