# METADATA
# title: Domestic accelerators phase in for the rest of finance
# description: >-
#   For finance workloads not already covered by domestic.finance_critical, domestic accelerators
#   are preferred (a warning) until the effective date in
#   data.tiergate.reference.effective_dates, and required from then on (non-domestic accelerators
#   excluded, a requested one denied).
# related_resources:
#   - ref: http://dosuns.com/news/5-2023221-14849.html
#     description: 金融信创渗透率仅次于党政
#   - ref: https://chinapp.net.cn/pinpaidongtai/2025/0102/11753.html
#     description: 信创产业五年 — 2027 targets
#   - ref: https://www.qishucang.com/article/4ldqpnp
#     description: 国资委79号文 (reported) — 100% 信创 replacement by 2027
#   - ref: https://shui5.cn/article/17/150712.html
#     description: 银保监办发〔2022〕2号 — 关键技术自主可控
# custom:
#   kind: violation
#   severity: deny
#   effective_on: "2027-01-01T00:00:00+08:00"
package tiergate.rules.domestic.finance_phase_in

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.result

_rule_id := result.rule_id(rego.metadata.chain())

_date := data.tiergate.reference.effective_dates.rules[_rule_id].effective_on

_applies if {
	facts.ctx.sector in data.tiergate.reference.domestic.finance_phase_in.sectors
	not data.tiergate.rules.domestic.finance_critical.reason
}

_required if {
	_applies
	facts.effective(_rule_id)
}

substitution := result.substitution(rego.metadata.chain(), "required") if {
	_required
} else := result.substitution(rego.metadata.chain(), "preferred") if {
	_applies
}

exclude contains exclusion if {
	_required
	some exclusion in domestic.exclusions(rego.metadata.chain())
}

deny contains violation if {
	_required
	violation := domestic.requested_violation(
		rego.metadata.chain(),
		sprintf("finance workloads need domestic accelerators since %s", [_date]),
		sprintf("自 %s 起金融行业须使用国产加速卡", [_date]),
	)
}

warn contains violation if {
	_applies
	not _required
	violation := domestic.preference_warning(
		rego.metadata.chain(),
		sprintf("finance workloads will need domestic accelerators from %s", [_date]),
		sprintf("自 %s 起金融行业将须使用国产加速卡", [_date]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
