# METADATA
# title: Rule results
# description: >-
#   Builds every object a rule emits (tier floor, violation, obligation, accelerator exclusion,
#   domestic-substitution level, catalogue entry) from the rule's `rego.metadata.chain()`, so the
#   rule ID is always the package path below `tiergate.rules` and is never typed by hand.
package tiergate.lib.result

# METADATA
# description: The package-scope annotations of the rule whose metadata chain is given.
package_entry(chain) := entry if {
	some entry in chain
	entry.annotations.scope == "package"
}

# METADATA
# description: >-
#   Rule ID from the metadata chain: the package path without the `tiergate.rules` prefix,
#   e.g. `tier.below_minimum` for package `tiergate.rules.tier.below_minimum`.
rule_id(chain) := concat(".", array.slice(path, 2, count(path) - 1)) if {
	# The chain starts with the calling rule itself, at its package's path plus its one-word
	# name (`deny`, `substitution`, …): read there, not by searching the chain for the package
	# entry, since a rule ID is derived for nearly every object a decision emits.
	path := chain[0].path
}

# Each builds its object itself, not through a shared `_violation(chain, severity, …)`: a
# user-function call costs ~30 allocations (`opa bench`), and every violation paid two.

# METADATA
# description: A violation with severity `deny` (the decision's verdict becomes deny).
deny(chain, message, message_zh) := {
	"rule_id": rule_id(chain),
	"severity": "deny",
	"message": message,
	"message_zh": message_zh,
}

# METADATA
# description: A violation with severity `warn` (listed; the verdict is unchanged).
warn(chain, message, message_zh) := {
	"rule_id": rule_id(chain),
	"severity": "warn",
	"message": message,
	"message_zh": message_zh,
}

# METADATA
# description: A duty that never blocks the decision but must be met.
obligation(chain, message, message_zh) := {
	"rule_id": rule_id(chain),
	"message": message,
	"message_zh": message_zh,
}

# METADATA
# description: A minimum tier demanded by a rule, with the reason in English and Chinese.
tier_floor(chain, tier, message, message_zh) := {
	"rule_id": rule_id(chain),
	"tier": tier,
	"message": message,
	"message_zh": message_zh,
}

# METADATA
# description: One catalogue accelerator that a rule excludes for this input.
exclusion(chain, accelerator) := exclusion_of(rule_id(chain), accelerator)

# METADATA
# description: >-
#   An exclusion by the rule whose ID is given: for a rule that excludes many accelerators, which
#   derives its ID once (`rule_id`) instead of once per accelerator.
exclusion_of(rule_id, accelerator) := {"rule_id": rule_id, "accelerator": accelerator}

# METADATA
# description: >-
#   The exclusions of every accelerator in the set `ids` by the rule whose ID is given, in one
#   call: a call of exclusion_of per accelerator cost ~25 allocations each (`opa bench`), and the
#   domestic rules exclude every non-domestic part (~20) at once.
exclusions_of(rule_id, ids) := {{"rule_id": rule_id, "accelerator": id} | some id in ids}

# METADATA
# description: A domestic-substitution (信创) level set by a rule, `required` or `preferred`.
substitution(chain, level) := {"rule_id": rule_id(chain), "level": level}

# METADATA
# description: >-
#   The auditor-facing catalogue entry of a rule, read from its package METADATA (title,
#   description, custom.severity, custom.kind, custom.exceptable — false when no approved
#   exception may waive the rule, default true —, related_resources); `effective_on` is the rule's
#   effective_from in data.tiergate.reference.effective_dates (null when always in force), so a
#   date is written once.
describe(chain) := {
	"rule_id": id,
	"title": annotations.title,
	"title_zh": annotations.custom.title_zh,
	"description": annotations.description,
	"severity": annotations.custom.severity,
	"kind": annotations.custom.kind,
	"exceptable": object.get(annotations.custom, "exceptable", true),
	"effective_on": object.get(data.tiergate.reference.effective_dates.rules, [id, "effective_from"], null),
	"related_resources": object.get(annotations, "related_resources", []),
} if {
	annotations := package_entry(chain).annotations
	id := rule_id(chain)
}

# METADATA
# description: >-
#   A rule's `explain`: why it did not fire for this input, as [English, Chinese] one-liners
#   (main.explanations reads it only when the rule emitted nothing). Every rule package defines
#   `explain := result.explanation(rego.metadata.chain(), _why_not)`; main_test fails for one
#   that does not.
explanation(chain, reason) := {"rule_id": rule_id(chain), "reason": reason[0], "reason_zh": reason[1]}
