# METADATA
# title: Domestic accelerators preferred for the rest of finance
# description: >-
#   For finance workloads not already covered by domestic.finance_critical, domestic accelerators
#   are preferred (a warning): no primary text mandates domestic accelerators in finance — the
#   reported 2027 信创 target is a deadline for state-owned firms' software. Never a deny, never an
#   exclusion, so hardware already installed is never refused.
# related_resources:
#   - ref: https://shui5.cn/article/17/150712.html
#     description: 关于银行业保险业数字化转型的指导意见 (银保监办发〔2022〕2号) — 关键技术自主可控 (no accelerator mandate)
# custom:
#   title_zh: 其他金融业务宜优先使用国产加速卡
#   kind: violation
#   severity: warn
package tiergate.rules.domestic.finance_phase_in

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.result

_config := data.tiergate.reference.domestic.finance_phase_in

_applies if {
	facts.ctx.sector in _config.sectors
	not data.tiergate.rules.domestic.finance_critical.reason
}

substitution := result.substitution(rego.metadata.chain(), _config.level) if _applies

warn contains violation if {
	_applies
	violation := domestic.preference_warning(
		rego.metadata.chain(),
		"finance institutions are moving to 信创 (judgement: no published rule requires domestic accelerators here)",
		"金融行业推进信创（判断性规则：现行规定未要求此类金融业务使用国产加速卡）",
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["finance workload preferring domestic accelerators", "金融业务宜优先使用国产加速卡"]

_why_not := [
	sprintf("sector %s is outside %s", [facts.ctx.sector, facts.sectors_en(_config.sectors)]),
	sprintf("%s不属于%s", [facts.sector_zh, facts.sectors_zh(_config.sectors)]),
] if {
	not facts.ctx.sector in _config.sectors
} else := [
	sprintf("left to domestic.finance_critical: a finance workload with %s", [data.tiergate.rules.domestic.finance_critical.reason[0]]),
	sprintf("由“%s”规则处理：金融行业%s", [facts.rule_title_zh("domestic.finance_critical"), data.tiergate.rules.domestic.finance_critical.reason[1]]),
] if {
	data.tiergate.rules.domestic.finance_critical.reason
}
