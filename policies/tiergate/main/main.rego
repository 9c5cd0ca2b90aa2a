# METADATA
# title: tiergate decision
# description: >-
#   The one entry point. Discovers every rule package under `tiergate.rules` and aggregates what
#   each emits (tier floors, accelerator exclusions, domestic-substitution levels, violations,
#   obligations) into the decision the service records; also serves the rule catalogue.
package tiergate.main

import data.tiergate.lib.exceptions
import data.tiergate.lib.hardware
import data.tiergate.lib.registry
import data.tiergate.lib.tier

# An import, not `_rules := data.tiergate.rules`: a rule holding the whole tree made every query
# of `decision` evaluate every rule of every package (catalogue entries and explanations too);
# through the import each reference below evaluates only the rule it names. The decision itself
# reads the rules through lib/registry.rego; the catalogue and the explanations walk the tree.
import data.tiergate.rules as _rules

# What the rule packages emit, through the generated registry (lib/registry.rego): it names each
# package's rule, where walking `_rules[area][name].deny` cost ~270 allocations per walk.
_violations := registry.deny | registry.warn

_obligations := registry.obligation

_substitutions := registry.substitution

_required_ids contains substitution.rule_id if {
	some substitution in _substitutions
	substitution.level == "required"
}

# Each sort key ends with the object it orders (built by lib/result, so its fields are the ones
# before it): read back from the key rather than rebuilt field by field (~16 allocations an
# object, `opa bench`).

# METADATA
# description: >-
#   Violations sorted by rule ID, then message; those an approved exception waives are marked
#   `excepted` (lib/exceptions.rego).
violations := [object.union(key[4], object.get(exceptions.marks, key[0], {})) |
	some key in sort({[v.rule_id, v.message, v.severity, v.message_zh, v] | some v in _violations})
]

# METADATA
# description: Obligations sorted by rule ID, then message.
obligations := [key[3] | some key in sort({[o.rule_id, o.message, o.message_zh, o] | some o in _obligations})]

# METADATA
# description: deny when any violation not waived by an exception has severity deny, else allow.
# scope: document
default verdict := "allow"

verdict := "deny" if {
	some violation in violations
	violation.severity == "deny"
	not violation.excepted
}

# METADATA
# description: The decision for the workload and context in `input`.
# entrypoint: true
decision := {
	"verdict": verdict,
	"tier": {
		"minimum": tier.minimum,
		"allowed": tier.allowed,
		"requested": tier.requested,
		"selected": tier.selected,
		"basis": tier.basis,
	},
	"domestic_substitution": {
		"required": count(_required_ids) > 0,
		"preferred": count(_substitutions) > 0,
		"rule_ids": sort({s.rule_id | some s in _substitutions}),
	},
	"accelerators": {
		"allowed": hardware.allowed,
		"excluded": hardware.excluded,
	},
	"violations": violations,
	"obligations": obligations,
	"exceptions_applied": exceptions.applied(violations),
}

# METADATA
# description: >-
#   Every rule's catalogue entry (rule ID, title, description, severity, effective date,
#   related resources, kind) read from its package METADATA, sorted by rule ID. Needs no input.
catalogue := [entry |
	some rule_id in sort(object.keys(_entries))
	entry := _entries[rule_id]
]

_entries[entry.rule_id] := entry if {
	some area, name
	entry := _rules[area][name].catalogue_entry
}

# METADATA
# description: >-
#   What the service queries: the decision and the manifests of the bundles OPA serves it from
#   (empty when OPA loads plain files), read in one evaluation so the revision checked is the
#   one that decided.
# entrypoint: true
decision_with_provenance := {"decision": decision, "bundles": _bundles}

default _bundles := {}

_bundles := data.system.bundles

# METADATA
# description: >-
#   What a dry run with explain=true queries: decision_with_provenance plus `explanations`. A
#   separate entry point, so `decision` never evaluates the explanations.
# entrypoint: true
decision_explained := object.union(decision_with_provenance, {"explanations": explanations})

# METADATA
# description: >-
#   For every catalogue rule (sorted by rule ID): whether it fired for this input, with what it
#   emitted, and when it did not, the rule's own one-line reason (its `explain`, built by
#   lib/result.explanation) in English and Chinese.
explanations := [_explanation(rule_id, _rules[area][name]) |
	some rule_id in sort(object.keys(_packages))
	[area, name] := _packages[rule_id]
]

_packages[entry.rule_id] := [area, name] if {
	some area, name
	entry := _rules[area][name].catalogue_entry
}

_explanation(rule_id, rule) := {
	"rule_id": rule_id,
	"fired": fired,
	"reason": _why_not(fired, rule.explain.reason),
	"reason_zh": _why_not(fired, rule.explain.reason_zh),
	"result": emitted,
} if {
	emitted := _emitted(rule)
	fired := _fired(emitted)
}

_why_not(true, _) := null

_why_not(false, reason) := reason

_emitted(rule) := {
	"violations": sort(object.get(rule, "deny", set()) | object.get(rule, "warn", set())),
	"obligations": sort(object.get(rule, "obligation", set())),
	"tier_floors": sort(object.get(rule, "tier_floor", set())),
	"excluded_accelerators": sort({e.accelerator | some e in object.get(rule, "exclude", set())}),
	"substitution": object.get(rule, ["substitution", "level"], null),
}

default _fired(_) := false

_fired(emitted) if {
	some key in ["violations", "obligations", "tier_floors", "excluded_accelerators"]
	count(emitted[key]) > 0
}

_fired(emitted) if emitted.substitution != null
