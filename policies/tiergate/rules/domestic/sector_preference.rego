# METADATA
# title: Domestic accelerators preferred in the 信创 "8" sectors
# description: >-
#   In the sectors listed in data.tiergate.reference.domestic.sector_preference (energy, telecom,
#   transport, education, healthcare), domestic accelerators are preferred: a non-domestic one is
#   a warning, never a deny.
# related_resources:
#   - ref: https://www.tonguebusy.com/a/tuiguang/kuaishoutuiguang/30-6924-01.html
#     description: 信创体系 “2+8+N” — the eight key industries
#   - ref: https://chinapp.net.cn/pinpaidongtai/2025/0102/11753.html
#     description: 信创产业五年 — 小信创 to 大信创; energy, transport rolling out
# custom:
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
		sprintf("sector %s is in the 信创 key industries", [facts.ctx.sector]),
		sprintf("行业 %s（%s）属于信创重点行业", [facts.ctx.sector, facts.group_zh]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
