# METADATA
# title: Approved exceptions
# description: >-
#   Applies the approved exceptions the service sends in `input.exceptions` (those active at the
#   evaluation time, as stored in the exception log): a violation of a rule an exception in scope
#   waives stays in the decision, marked `excepted: {exception_id, expires_at}`, and no longer
#   makes the verdict deny. Rules never see exceptions; a rule whose METADATA says
#   `custom.exceptable: false` is never waived, and neither is `tier.below_minimum` when such a
#   rule set the minimum (an exception cannot lower a floor the law sets).
package tiergate.lib.exceptions

import data.tiergate.lib.facts
import data.tiergate.lib.tier

_given := object.get(input, ["exceptions", "active"], [])

# What a scope field is compared with. Organisation and workload name as the record stores them
# (salted digests where masked), sent by the service in input.exceptions.subject.
_subject := {
	"sector": facts.ctx.sector,
	"organization": object.get(input, ["exceptions", "subject", "organization"], null),
	"workload_name": object.get(input, ["exceptions", "subject", "workload_name"], null),
	"accelerator": facts.ctx.requested_accelerator,
	"tier": facts.ctx.requested_tier,
}

# Exceptions valid at the evaluation time (valid_from inclusive, expires_at exclusive) whose
# every non-null scope field equals the input's; an unknown scope field never matches.
_active contains exception if {
	some exception in _given
	facts.evaluation_ns >= time.parse_rfc3339_ns(exception.valid_from)
	facts.evaluation_ns < time.parse_rfc3339_ns(exception.expires_at)
	every key, value in exception.scope {
		_matches(key, value)
	}
}

_matches(_, null)

_matches(key, value) if _subject[key] == value

# True when the rule `rule_id` may not be waived (`custom.exceptable: false`), read from that
# rule's catalogue entry alone: only the rules an active exception names, and those that set the
# minimum tier, are looked up (reading every rule's catalogue entry cost ~3k allocations a
# decision whenever an exception was active, `opa bench`).
_unexceptable(rule_id) if {
	[area, name] := split(rule_id, ".")
	data.tiergate.rules[area][name].catalogue_entry.exceptable == false
}

_refused contains exception.rule_id if {
	some exception in _active
	_unexceptable(exception.rule_id)
}

_refused contains "tier.below_minimum" if {
	some entry in tier.basis
	_unexceptable(entry.rule_id)
}

# METADATA
# description: >-
#   Rule ID -> {"excepted": {exception_id, expires_at}} for every rule an active exception in
#   scope waives; of several, the one that expires last (then the greatest ID) is named.
marks[rule_id] := {"excepted": {"exception_id": chosen[1], "expires_at": chosen[0]}} if {
	some rule_id in {exception.rule_id | some exception in _active}
	not rule_id in _refused
	chosen := max({[exception.expires_at, exception.id] |
		some exception in _active
		exception.rule_id == rule_id
	})
}

# METADATA
# description: >-
#   The exceptions that waived at least one of `violations` (as marked), sorted by ID, each with
#   the rules it waived and a message in English and Chinese.
applied(violations) := _listed(
	violations,
	{v.excepted.exception_id: v.excepted.expires_at | some v in violations; v.excepted},
)

_listed(violations, expiry) := [_applied(id, expiry[id], rule_ids) |
	some id in sort(object.keys(expiry))
	rule_ids := sort({v.rule_id | some v in violations; v.excepted.exception_id == id})
]

_applied(id, expires_at, rule_ids) := {
	"exception_id": id,
	"expires_at": expires_at,
	"rule_ids": rule_ids,
	"message": sprintf("approved exception %s waives %s until %s", [id, concat(", ", rule_ids), expires_at]),
	"message_zh": sprintf(
		"经批准的例外（编号%s）豁免%s规则，于%s失效",
		[id, concat("、", [sprintf("“%s”", [facts.rule_title_zh(r)]) | some r in rule_ids]), facts.date_zh(expires_at)],
	),
}
