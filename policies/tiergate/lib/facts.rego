# METADATA
# title: Input facts
# description: >-
#   The request context with its documented defaults applied (from
#   `data.tiergate.reference.defaults`), plus lookups every rule shares: sector group,
#   evaluation time, candidates, the accelerator catalogue and display names.
package tiergate.lib.facts

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

# METADATA
# description: Chinese name of the input's sector group, for messages.
group_zh := _reference.sectors.groups[group].name_zh

# METADATA
# description: Chinese name of the input's data class, for messages.
data_class_zh := object.get(_reference.tier_matrix.data_class_names_zh, ctx.data_class, ctx.data_class)

# METADATA
# description: The evaluation time from the input, in nanoseconds (never the wall clock).
evaluation_ns := time.parse_rfc3339_ns(input.context.evaluation_time)

# METADATA
# description: >-
#   True when the rule's phase-in date (`data.tiergate.reference.effective_dates`) is at or before
#   the evaluation time. Undefined for a rule without a phase-in date.
effective(rule_id) if {
	date := _reference.effective_dates.rules[rule_id].effective_on
	evaluation_ns >= time.parse_rfc3339_ns(date)
}

# METADATA
# description: >-
#   The dated-fact model: true when `entry` is in force at the evaluation time, i.e.
#   `entry.effective_from` (RFC 3339, optional) is at or before it and `entry.effective_until`
#   (RFC 3339, optional, exclusive: the instant a later fact supersedes it) is after it.
#   Undefined when the evaluation time cannot be parsed, so a dated fact never applies by accident.
in_force(entry) if {
	_started(entry)
	_not_ended(entry)
}

_started(entry) if {
	not entry.effective_from
	evaluation_ns
}

_started(entry) if evaluation_ns >= time.parse_rfc3339_ns(entry.effective_from)

_not_ended(entry) if {
	not entry.effective_until
	evaluation_ns
}

_not_ended(entry) if evaluation_ns < time.parse_rfc3339_ns(entry.effective_until)

# METADATA
# description: >-
#   The entries of a dated history (an array of entries with effective_from/effective_until)
#   in force at the evaluation time; histories are written so that at most one is.
in_force_entries(history) := [entry | some entry in history; in_force(entry)]

# METADATA
# description: The feasible hardware plans from the sizing engine (cheapest first); empty if absent.
candidates := object.get(input, "candidates", [])

# METADATA
# description: The accelerator catalogue, keyed by accelerator ID.
accelerators := _reference.accelerators.by_id

# METADATA
# description: Tier ID to its rank (higher is stricter).
tier_rank[tier.id] := tier.rank if some tier in _reference.tiers.ladder

# METADATA
# description: Tier ID to its Chinese name, for messages.
tier_zh[tier.id] := tier.name_zh if some tier in _reference.tiers.ladder

# METADATA
# description: True when personal information (ordinary or sensitive) is processed.
# scope: document
processes_personal_information if ctx.personal_information == true

processes_personal_information if ctx.sensitive_personal_information == true
