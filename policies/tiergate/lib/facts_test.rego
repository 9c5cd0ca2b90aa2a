package tiergate.lib.facts_test

import data.tiergate.lib.facts

_at(instant) := {"context": {"sector": "internet", "evaluation_time": instant}}

_entry := {"effective_from": "2026-01-15T00:00:00-05:00", "effective_until": "2027-01-01T00:00:00+08:00"}

test_in_force_inside_the_window if {
	facts.in_force(_entry) with input as _at("2026-06-01T00:00:00Z")
}

test_in_force_from_is_inclusive if {
	facts.in_force(_entry) with input as _at("2026-01-15T05:00:00Z")
}

test_not_in_force_before_from if {
	not facts.in_force(_entry) with input as _at("2026-01-15T04:59:59Z")
}

test_not_in_force_at_until if {
	not facts.in_force(_entry) with input as _at("2026-12-31T16:00:00Z")
}

test_open_ended_entry if {
	facts.in_force({"effective_from": "2020-01-01T00:00:00Z"}) with input as _at("2100-01-01T00:00:00Z")
	facts.in_force({}) with input as _at("2100-01-01T00:00:00Z")
}

test_unparsable_time_is_never_in_force if {
	not facts.in_force({}) with input as _at("not a time")
	not facts.in_force(_entry) with input as _at("10000-01-01T00:00:00Z")
}

test_in_force_entries_picks_the_current_one if {
	history := [
		{"status": "a", "effective_until": "2026-01-15T00:00:00Z"},
		{"status": "b", "effective_from": "2026-01-15T00:00:00Z"},
	]
	facts.in_force_entries(history) == [history[0]] with input as _at("2025-06-01T00:00:00Z")
	facts.in_force_entries(history) == [history[1]] with input as _at("2026-06-01T00:00:00Z")
}
