# METADATA
# title: Input facts
# description: >-
#   The request context with its documented defaults applied (from
#   `data.tiergate.reference.defaults`), plus lookups every rule shares: sector group,
#   evaluation time, candidates, the accelerator catalogue and display names.
package tiergate.lib.facts

import data.tiergate.lib.registry

_reference := data.tiergate.reference

# METADATA
# description: >-
#   `input.context` with defaults for every optional field; a field sent as null takes its default
#   (except `requested_tier` and `requested_accelerator`, whose default is null).
ctx := object.union(_reference.defaults.context, {key: value |
	some key, value in input.context
	value != null
})

# METADATA
# description: The sector group (a row of the tier matrix) of the input's sector.
group := name if {
	some name, definition in _reference.sectors.groups
	ctx.sector in definition.sectors
} else := _reference.defaults.unmapped_sector_group.group

_lift := _reference.overrides.sensitive_personal_information

# A complete object, not an object rule: OPA evaluates an object rule's body again for each key
# looked up, and the rules look tiers and data classes up by key a dozen times per decision
# (~150 allocations, `opa bench`); a complete object is built once and then read.
# regal ignore:prefer-set-or-object-rule
_class_rank := {name: rank | some rank, name in _reference.tier_matrix.data_classes}

# METADATA
# description: >-
#   True when sensitive personal information lifts the declared data class (PIPL Art. 28:
#   sensitive personal information is at least sensitive data).
# scope: document
default data_class_lifted := false

data_class_lifted if {
	ctx.sensitive_personal_information == true
	_class_rank[ctx.data_class] < _class_rank[_lift.data_class]
}

# METADATA
# description: >-
#   The data class the rules apply: the declared one, lifted to `sensitive` when sensitive
#   personal information is processed (tier and MLPS level follow).
data_class := _lift.data_class if data_class_lifted

else := ctx.data_class

# METADATA
# description: Chinese name of the applied data class, for messages.
data_class_zh := object.get(_reference.tier_matrix.data_class_names_zh, data_class, data_class)

# METADATA
# description: Chinese name of the input's sector (e.g. 金融行业), for messages.
sector_zh := object.get(_reference.sectors.sector_names_zh, ctx.sector, ctx.sector)

# METADATA
# description: Chinese name of a region code (中国香港 for hk), the code itself when unknown.
region_zh(code) := object.get(_reference.regions.names_zh, code, code)

# METADATA
# description: >-
#   An RFC 3339 instant as a Chinese date in Beijing time (2027年1月1日), for messages:
#   no raw timestamps in Chinese text (shared with the export rules, which cite dates).
date_zh(instant) := sprintf("%d年%d月%d日", time.date([time.parse_rfc3339_ns(instant), "Asia/Shanghai"]))

# METADATA
# description: A number of people as Chinese writes it (20万, 1000万; 12345 stays 12345).
people_zh(n) := sprintf("%d万", [n / 10000]) if {
	n >= 10000
	n % 10000 == 0
} else := sprintf("%d", [n])

# METADATA
# description: The evaluation time from the input, in nanoseconds (never the wall clock).
evaluation_ns := time.parse_rfc3339_ns(input.context.evaluation_time)

# METADATA
# description: >-
#   True when the rule `rule_id` is in force at the evaluation time, by its window in
#   `data.tiergate.reference.effective_dates` (the one definition of rule dates); a rule without
#   a window there is always in force.
rule_in_force(rule_id) if in_force(object.get(_reference.effective_dates.rules, rule_id, {}))

# METADATA
# description: >-
#   The dated-fact model: true when `entry` is in force at the evaluation time, i.e.
#   `entry.effective_from` (RFC 3339, optional) is at or before it and `entry.effective_until`
#   (RFC 3339, optional, exclusive: the instant a later fact supersedes it) is after it.
#   Undefined when the evaluation time cannot be parsed, so a dated fact never applies by accident.
in_force(entry) if {
	evaluation_ns >= time.parse_rfc3339_ns(object.get(entry, "effective_from", input.context.evaluation_time))
	_before_end(object.get(entry, "effective_until", _open_ended))
}

# One body per call and an indexed argument instead of a rule per bound with a `not` each:
# in_force runs once per dated entry a decision reads (the export histories above all), and the
# two-rule form cost ~50 allocations a call (`opa bench`). Without `effective_from` the entry
# started (the evaluation time is compared with itself: true once it parses); without
# `effective_until` (the sentinel below, which no RFC 3339 string equals) it has not ended.
_open_ended := "open-ended"

_before_end("open-ended")

_before_end(instant) if evaluation_ns < time.parse_rfc3339_ns(instant)

# METADATA
# description: >-
#   The entries of a dated history (an array of entries with effective_from/effective_until)
#   in force at the evaluation time; histories are written so that at most one is.
in_force_entries(history) := [entry | some entry in history; in_force(entry)]

# METADATA
# description: The feasible hardware plans from the sizing engine (cheapest first); empty if absent.
candidates := object.get(input, "candidates", [])

# METADATA
# description: The accelerator IDs of the candidate plans, as a set (the rules use set algebra on it).
candidate_accelerators contains plan.accelerator if some plan in candidates

# METADATA
# description: The accelerator catalogue, keyed by accelerator ID.
accelerators := _reference.accelerators.by_id

# METADATA
# description: >-
#   Tier ID to its rank (higher is stricter). A complete object like tier_zh and _class_rank
#   (see there): built once, then read by key.
tier_rank := {tier.id: tier.rank | some tier in _reference.tiers.ladder} # regal ignore:prefer-set-or-object-rule

# METADATA
# description: Tier ID to its Chinese name, for messages (a complete object, see _class_rank).
tier_zh := {tier.id: tier.name_zh | some tier in _reference.tiers.ladder} # regal ignore:prefer-set-or-object-rule

# METADATA
# description: True when personal information (ordinary or sensitive) is processed.
# scope: document
processes_personal_information if ctx.personal_information == true

processes_personal_information if ctx.sensitive_personal_information == true

# METADATA
# description: >-
#   Why a dated entry (effective_from/effective_until) is not in force at the evaluation time, as
#   [English, Chinese] (for a rule's `explain`); undefined when it is in force.
not_in_force_reason(entry) := [
	sprintf("not yet in force on %s (in force from %s)", [substring(input.context.evaluation_time, 0, 10), substring(entry.effective_from, 0, 10)]),
	sprintf("评估日期%s尚未施行（自%s起施行）", [date_zh(input.context.evaluation_time), date_zh(entry.effective_from)]),
] if {
	evaluation_ns < time.parse_rfc3339_ns(entry.effective_from)
} else := [
	sprintf("no longer in force on %s (superseded from %s)", [substring(input.context.evaluation_time, 0, 10), substring(entry.effective_until, 0, 10)]),
	sprintf("评估日期%s已不再施行（自%s起废止）", [date_zh(input.context.evaluation_time), date_zh(entry.effective_until)]),
] if {
	evaluation_ns >= time.parse_rfc3339_ns(entry.effective_until)
} else := [
	"the evaluation time cannot be parsed, so no dated rule applies",
	"评估时间无法解析，无法判断该规定是否已施行",
] if {
	not evaluation_ns
}

# METADATA
# description: Why the rule `rule_id` is not in force (see not_in_force_reason and rule_in_force).
rule_not_in_force_reason(rule_id) := not_in_force_reason(object.get(_reference.effective_dates.rules, rule_id, {}))

# METADATA
# description: Sector IDs joined for English messages (finance, healthcare).
sectors_en(sectors) := concat(", ", sectors)

# METADATA
# description: Chinese names of sector IDs joined with 、 (金融行业、医疗卫生行业).
sectors_zh(sectors) := concat("、", [object.get(_reference.sectors.sector_names_zh, s, s) | some s in sectors])

# METADATA
# description: Chinese names of tier IDs joined with 、 (专有网络VPC、本地GPU一体机).
tiers_zh(tiers) := concat("、", [tier_name_zh(t) | some t in tiers])

# METADATA
# description: A tier's Chinese name; a tier not on the ladder is quoted as given.
tier_name_zh(t) := object.get(tier_zh, t, sprintf("“%s”", [t]))

# METADATA
# description: >-
#   What a Chinese message calls an accelerator: its catalogue name in Chinese (华为昇腾910B2, not
#   huawei-ascend-910b2); an ID the catalogue lacks is quoted as given.
accelerator_zh(id) := object.get(accelerators, [id, "name_zh"], sprintf("“%s”", [id]))

# METADATA
# description: Accelerators named in Chinese, in ID order, joined with 、.
accelerators_zh(ids) := concat("、", [accelerator_zh(id) | some id in sort(ids)])

# METADATA
# description: >-
#   What a Chinese message calls a rule: its METADATA custom.title_zh (a compliance officer
#   reads 按行业分组和数据级别确定的最低部署层级, not tier.sector_matrix), as the generated registry
#   copies it: a lookup, where the rule's catalogue entry cost ~120 allocations a call.
rule_title_zh(rule_id) := registry.titles_zh[rule_id]
