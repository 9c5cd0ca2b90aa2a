# METADATA
# title: Accelerator filter
# description: >-
#   Aggregates the accelerator exclusions of every rule (`exclude` in any `tiergate.rules`
#   package) into the allowed and excluded catalogue accelerators, and names the accelerators a
#   warning is about (the requested one, else the allowed accelerators of the candidate plans).
package tiergate.lib.hardware

import data.tiergate.lib.facts

_exclusions contains exclusion if {
	some area, name, exclusion
	data.tiergate.rules[area][name].exclude[exclusion]
}

_excluded_ids contains id if {
	some e in _exclusions
	id := e.accelerator
	facts.accelerators[id]
}

# Once per excluded accelerator, not once per exclusion: the rule-id set is the costly part
# (deriving it per exclusion was 2/3 of the decision's evaluation time, `opa eval --profile`).
_excluded_by[id] := sort({e.rule_id | some e in _exclusions; e.accelerator == id}) if {
	some id in _excluded_ids
}

# METADATA
# description: Sorted IDs of catalogue accelerators no rule excludes.
allowed := sort([id | some id, _ in facts.accelerators; not id in _excluded_ids])

# METADATA
# description: Excluded catalogue accelerators with the rules that exclude each, sorted by ID.
excluded := [{"accelerator": id, "rule_ids": _excluded_by[id]} | some id in sort(object.keys(_excluded_by))]

# METADATA
# description: Non-domestic catalogue accelerators.
non_domestic contains id if {
	some id, accelerator in facts.accelerators
	accelerator.domestic == false
}

# METADATA
# description: >-
#   The accelerators a warning is about: the requested accelerator when there is one, else the
#   allowed accelerators of the candidate plans.
subjects := {facts.ctx.requested_accelerator} if {
	facts.ctx.requested_accelerator != null
} else := {plan.accelerator |
	some plan in facts.candidates
	plan.accelerator in allowed
}

# METADATA
# description: Whether the subjects are the requested accelerator or candidate plans, for messages.
# scope: document
default subject_kind := "candidate"

subject_kind := "requested" if facts.ctx.requested_accelerator != null

# METADATA
# description: Chinese wording of `subject_kind`.
subject_kind_zh := {"requested": "所申请的", "candidate": "候选方案中的"}[subject_kind]
