# METADATA
# title: Accelerator filter
# description: >-
#   Aggregates the accelerator exclusions of every rule (`exclude` in any `tiergate.rules`
#   package) into the allowed and excluded catalogue accelerators, and names the accelerators a
#   warning is about (the requested one, else the allowed accelerators of the candidate plans).
package tiergate.lib.hardware

import data.tiergate.lib.facts
import data.tiergate.lib.registry

# The generated registry (lib/registry.rego) names each rule package's `exclude`.
_exclusions := registry.exclude

# Set algebra (one builtin call each) rather than a rule body per accelerator: `allowed`,
# `subjects` and these sets are on every decision's path.
_catalogue_ids := object.keys(facts.accelerators)

_excluded_ids := {e.accelerator | some e in _exclusions} & _catalogue_ids

# METADATA
# description: IDs of the catalogue accelerators no rule excludes (a set, for set algebra).
allowed_ids := _catalogue_ids - _excluded_ids

# METADATA
# description: Sorted IDs of catalogue accelerators no rule excludes.
allowed := sort(allowed_ids)

# METADATA
# description: >-
#   Excluded catalogue accelerators with the rules that exclude each, sorted by ID. The rule-id
#   set is built in the comprehension's body, where OPA indexes the inner comprehension on `id`
#   (one pass over the exclusions for all accelerators) instead of scanning every exclusion per
#   accelerator; deriving it per exclusion was 2/3 of the decision's evaluation time.
excluded := [{"accelerator": id, "rule_ids": sort(rule_ids)} |
	some id in sort(_excluded_ids)
	rule_ids := {e.rule_id | some e in _exclusions; e.accelerator == id}
]

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
} else := facts.candidate_accelerators & allowed_ids

# METADATA
# description: Whether the subjects are the requested accelerator or candidate plans, for messages.
# scope: document
default subject_kind := "candidate"

subject_kind := "requested" if facts.ctx.requested_accelerator != null

# METADATA
# description: Chinese wording of `subject_kind`.
subject_kind_zh := {"requested": "所申请的", "candidate": "候选方案中的"}[subject_kind]
