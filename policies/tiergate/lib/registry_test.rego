package tiergate.lib.registry_test

import data.tiergate.fixtures_test as fx
import data.tiergate.lib.registry

# The registry is generated (scripts/build_rule_registry.py); these tests fail when it and the
# rule packages drift, so a new package left out of it fails `opa test` as well as pytest
# (tests/policies/test_registry.py compares the file with a fresh build).

test_registry_lists_every_rule_package if {
	registry.packages == {concat(".", [area, name]) |
		some area, name
		data.tiergate.rules[area][name].catalogue_entry
	}
}

# Inputs under which each aggregated name is emitted by several packages: finance core business
# (finance_critical), government (sector_mandate), healthcare (sector_preference), a state secret,
# a state-funded data centre with installed hardware, personal information sent abroad, a new
# export-controlled part requested in Hong Kong, no plan at all.
_contexts := [
	{"sector": "finance", "core_business": true, "data_class": "important", "requested_tier": "vpc"},
	{"sector": "finance", "public_service": true, "requested_accelerator": "nvidia-h20"},
	{"sector": "government", "requested_accelerator": "nvidia-h100-sxm", "procurement": "new"},
	{"sector": "healthcare", "personal_information": true, "requested_accelerator": "nvidia-h20"},
	{"state_secret": "secret", "requested_tier": "shared_cloud"},
	{"state_funded_data_centre": true, "procurement": "existing", "requested_accelerator": "nvidia-h20"},
	{"region": "sg", "headquarters": "cn", "procurement": "new", "requested_accelerator": "nvidia-b200-hgx"},
	{"region": "sg", "requested_accelerator": "huawei-ascend-910c", "personal_information": true},
	{"evaluation_time": "yesterday", "requested_accelerator": "no-such-part"},
]

_walked(name) := {emitted |
	some area, name_of_rule, emitted
	data.tiergate.rules[area][name_of_rule][name][emitted]
}

test_registry_holds_what_every_package_emits if {
	every context in _contexts {
		every name in ["deny", "warn", "obligation", "tier_floor"] {
			registry[name] == _walked(name) with input as fx.with_context(context)
		}
		registry.substitution == {level |
			some area, name
			level := data.tiergate.rules[area][name].substitution
		} with input as fx.with_context(context)
		{[rule_id, id] | some rule_id, ids in registry.excluded_ids; some id in ids} == {[e.rule_id, e.accelerator] |
			some e in _walked("exclude")
		} with input as fx.with_context(context)
	}
}

test_registry_emissions_are_not_empty_for_the_contexts if {
	# Guards the test above against vacuous equality (both sides empty).
	every name in ["deny", "warn", "obligation", "tier_floor", "substitution"] {
		some context in _contexts
		count(registry[name]) > 0 with input as fx.with_context(context)
	}
	some context in _contexts
	some ids in registry.excluded_ids with input as fx.with_context(context)
	count(ids) > 0
}

test_registry_titles_are_the_catalogue_titles if {
	registry.titles_zh == {entry.rule_id: entry.title_zh | some entry in data.tiergate.main.catalogue}
}
