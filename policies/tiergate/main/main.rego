# METADATA
# title: tiergate decision
# description: >-
#   The one entry point. Discovers every rule package under `tiergate.rules` and aggregates what
#   each emits (tier floors, accelerator exclusions, domestic-substitution levels, violations,
#   obligations) into the decision the service records; also serves the rule catalogue.
package tiergate.main

import data.tiergate.lib.exceptions
import data.tiergate.lib.hardware
import data.tiergate.lib.tier

_rules := data.tiergate.rules

_violations contains violation if {
	some area, name, violation
	_rules[area][name].deny[violation]
}

_violations contains violation if {
	some area, name, violation
	_rules[area][name].warn[violation]
}

_obligations contains obligation if {
	some area, name, obligation
	_rules[area][name].obligation[obligation]
}

_substitutions contains _rules[area][name].substitution if some area, name

_required_ids contains substitution.rule_id if {
	some substitution in _substitutions
	substitution.level == "required"
}

# METADATA
# description: >-
#   Violations sorted by rule ID, then message; those an approved exception waives are marked
#   `excepted` (lib/exceptions.rego).
violations := [object.union(violation, object.get(exceptions.marks, key[0], {})) |
	some key in sort({[v.rule_id, v.message, v.severity, v.message_zh] | some v in _violations})
	violation := {"rule_id": key[0], "message": key[1], "severity": key[2], "message_zh": key[3]}
]

# METADATA
# description: Obligations sorted by rule ID, then message.
obligations := [{"rule_id": key[0], "message": key[1], "message_zh": key[2]} |
	some key in sort({[o.rule_id, o.message, o.message_zh] | some o in _obligations})
]

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
