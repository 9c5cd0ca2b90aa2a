# METADATA
# title: Accelerator filter
# description: >-
#   Aggregates the accelerator exclusions of every rule (`excluded_ids` in any `tiergate.rules`
#   package) into the allowed and excluded catalogue accelerators, and names the accelerators a
#   warning is about (the requested one, else the allowed accelerators of the candidate plans).
package tiergate.lib.hardware

import data.tiergate.lib.facts
import data.tiergate.lib.registry

# Set algebra (one builtin call each) rather than a rule body per accelerator: `allowed`,
# `subjects` and these sets are on every decision's path.
_catalogue_ids := object.keys(facts.accelerators)

# Rule ID -> the IDs it excludes, for the rules that exclude any: each rule's `excluded_ids`
# named by the generated registry (lib/registry.rego). Sets of IDs, not one object per
# accelerator and rule: the decision only needs which rules exclude which part. A complete
# object (see facts._class_rank): `excluded` reads all of it once per excluded part.
# regal ignore:prefer-set-or-object-rule
_excluding := {rule_id: ids |
	some rule_id, ids in registry.excluded_ids
	count(ids) > 0
}

_excluded_ids := union({ids | some ids in _excluding}) & _catalogue_ids

# METADATA
# description: IDs of the catalogue accelerators no rule excludes (a set, for set algebra).
allowed_ids := _catalogue_ids - _excluded_ids

# METADATA
# description: Sorted IDs of catalogue accelerators no rule excludes.
allowed := sort(allowed_ids)

_excluding_rule_ids := sort(object.keys(_excluding))

# METADATA
# description: >-
#   Excluded catalogue accelerators with the rules that exclude each, sorted by ID: a membership
#   test in the few excluding rules' sets per accelerator, in rule-ID order (sorted once, not per
#   accelerator).
excluded := [{"accelerator": id, "rule_ids": [rule_id | some rule_id in _excluding_rule_ids; id in _excluding[rule_id]]} |
	some id in sort(_excluded_ids)
]

# METADATA
# description: >-
#   Non-domestic catalogue accelerators: the catalogue build's index (scripts/build_catalog.py,
#   keyed by ID so that object.keys gives the set in one call instead of a pass over all parts),
#   within the catalogue loaded.
non_domestic := object.keys(data.tiergate.reference.accelerators.non_domestic) & _catalogue_ids

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
