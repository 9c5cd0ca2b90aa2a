# METADATA
# title: MLPS (等保) filing at the level the data implies
# description: >-
#   Every workload is graded and filed under the Multi-Level Protection Scheme (GB/T 22239-2019)
#   at the level its data class (and any state-secret grade) implies, per
#   data.tiergate.reference.obligations.mlps.
# related_resources:
#   - ref: http://www.freeoa.net/osuport/sysec/insurance-ases-levtt_3546.html
#     description: 网络安全法 Art. 21/59, 等级保护 2.0 levels 2 and 3
#   - ref: http://acartierwatches.cn/a/04213aN2023.html
#     description: 网络安全保护等级划分 (five levels)
#   - ref: https://www.itangsoft.com/baike/show-218788.html
#     description: 秘密 ≥ 等保三级, 机密 ≥ 四级
# custom:
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.mlps_filing

import data.tiergate.lib.facts
import data.tiergate.lib.result

_mlps := data.tiergate.reference.obligations.mlps

_level := max({
	_mlps.levels_by_data_class[facts.ctx.data_class],
	object.get(_mlps.levels_by_state_secret, facts.ctx.state_secret, 0),
})

# The state-secret grade is named only when there is one ("state secret none" read oddly).
default _secret_en := ""

_secret_en := sprintf(", state secret %s", [facts.ctx.state_secret]) if facts.ctx.state_secret != "none"

default _secret_zh := ""

_secret_zh := sprintf("，国家秘密（%s）", [_mlps_secret_zh]) if facts.ctx.state_secret != "none"

_mlps_secret_zh := object.get(
	data.tiergate.reference.obligations.classified_protection.levels_zh,
	facts.ctx.state_secret,
	facts.ctx.state_secret,
)

obligation contains result.obligation(
	rego.metadata.chain(),
	sprintf(
		"MLPS (GB/T 22239-2019) level %d grading, filing and assessment: %s data%s",
		[_level, facts.ctx.data_class, _secret_en],
	),
	sprintf(
		"须按网络安全等级保护%s定级、备案和测评：%s%s",
		[_mlps.level_names_zh[format_int(_level, 10)], facts.data_class_zh, _secret_zh],
	),
)

catalogue_entry := result.describe(rego.metadata.chain())
