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
#   Excluded catalogue accelerators with the rules that exclude each, sorted by ID. A part that
#   one rule alone excludes (nearly all: the domestic rules exclude every non-domestic part) is
#   found by set algebra per rule; only the parts several rules exclude take a membership test
#   in each excluding rule's set (in rule-ID order, sorted once).
excluded := sort(_excluded_by_one | _excluded_by_several)

# The parts one rule alone excludes, by set algebra per rule.
_excluded_by_one contains {"accelerator": id, "rule_ids": [rule_id]} if {
	some rule_id, ids in _excluding
	some id in ((ids & _catalogue_ids) - union({others | some other, others in _excluding; other != rule_id}))
}

_excluded_by_several contains {"accelerator": id, "rule_ids": rule_ids} if {
	some id in (_excluded_ids - {entry.accelerator | some entry in _excluded_by_one})
	rule_ids := [rule_id | some rule_id in _excluding_rule_ids; id in _excluding[rule_id]]
}

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
