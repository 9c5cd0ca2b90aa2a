package tiergate.main_test

import data.tiergate.fixtures_test as fx
import data.tiergate.main

# Every package under tiergate.rules that emits anything the decision aggregates.
_rule_packages contains concat(".", [area, name]) if {
	some interface in ["tier_floor", "deny", "warn", "obligation", "exclude"]
	some area, name
	_ = data.tiergate.rules[area][name][interface]
}

test_catalogue_lists_every_rule_package_once if {
	ids := [entry.rule_id | some entry in main.catalogue]
	count(ids) == count(_rule_packages)
	{id | some id in ids} == _rule_packages
	ids == sort(ids)
}

test_catalogue_entries_are_complete if {
	every entry in main.catalogue {
		entry.title != ""
		entry.description != ""
		entry.kind in {"violation", "obligation", "tier"}
		entry.severity in {"deny", "warn", "info"}
		count(entry.related_resources) > 0
	}
}

test_catalogue_entry_of_finance_phase_in_is_a_warning_without_date if {
	some entry in main.catalogue
	entry.rule_id == "domestic.finance_phase_in"
	entry.effective_on == null
	entry.severity == "warn"
	entry.kind == "violation"
}

test_catalogue_effective_on_is_derived_from_effective_dates if {
	dated := {entry.rule_id: entry.effective_on | some entry in main.catalogue; entry.effective_on != null}
	configured := {id: rule.effective_from | some id, rule in data.tiergate.reference.effective_dates.rules}
	dated == configured
	dated["obligations.ai_content_labeling"] == "2025-09-01T00:00:00+08:00"
}

_finance_l20(evaluation_time, procurement) := fx.with_context({
	"sector": "finance",
	"requested_accelerator": "nvidia-l20",
	"evaluation_time": evaluation_time,
	"procurement": procurement,
})

# The finance phase-in used to deny from 2027-01-01T00:00:00+08:00 (2026-12-31T16:00:00Z), even
# hardware already installed; it is a preference on both sides of that instant (every procurement
# on both sides: tests/policies, against the real OPA).
test_finance_phase_in_never_denies_or_excludes_installed_hardware if {
	every instant in ["2026-12-31T15:59:59Z", "2026-12-31T16:00:00Z"] {
		decision := main.decision with input as _finance_l20(instant, "existing")
		decision.verdict == "allow"
		decision.domestic_substitution == {"required": false, "preferred": true, "rule_ids": ["domestic.finance_phase_in"]}
		"nvidia-l20" in decision.accelerators.allowed
		[v.severity | some v in decision.violations; v.rule_id == "domestic.finance_phase_in"] == ["warn"]
	}
}

test_tier_ladder_is_highest_first if {
	ranks := [tier.rank | some tier in data.tiergate.reference.tiers.ladder]
	ranks == array.reverse(sort(ranks))
}

test_every_sector_is_in_exactly_one_group if {
	sectors := [
		"government", "finance", "defense", "healthcare", "energy", "telecom",
		"transport", "education", "research", "internet", "manufacturing", "other",
	]
	every sector in sectors {
		count({name | some name, group in data.tiergate.reference.sectors.groups; sector in group.sectors}) == 1
	}
}

test_every_matrix_cell_is_a_tier_with_basis_and_source if {
	tiers := {tier.id | some tier in data.tiergate.reference.tiers.ladder}
	every group, _ in data.tiergate.reference.sectors.groups {
		every data_class in data.tiergate.reference.tier_matrix.data_classes {
			data.tiergate.reference.tier_matrix.cells[group][data_class].tier in tiers
			data.tiergate.reference.tier_matrix.cells[group][data_class].basis in {"rule", "judgement"}
			data.tiergate.reference.tier_matrix.cells[group][data_class].source != ""
		}
	}
}

test_deny_government_decision if {
	decision := main.decision with input as fx.with_candidates(
		{"sector": "government", "requested_tier": "shared_cloud", "requested_accelerator": "nvidia-h100-sxm"},
		["nvidia-h100-sxm", "huawei-ascend-910b3"],
	)
	decision.verdict == "deny"
	decision.tier == {
		"minimum": "vpc",
		"allowed": ["classified_facility", "bare_metal", "appliance", "vpc"],
		"requested": "shared_cloud",
		"selected": "vpc",
		"basis": [{
			"rule_id": "tier.sector_matrix",
			"tier": "vpc",
			"message": "sector government (group government) with general data needs at least vpc (rule)",
			"message_zh": "党政机关处理一般数据，最低部署层级为专有网络VPC（依据规定）",
		}],
	}
	decision.domestic_substitution == {"required": true, "preferred": true, "rule_ids": ["domestic.sector_mandate"]}
	[v.rule_id | some v in decision.violations] == ["domestic.sector_mandate", "export.restricted_part", "tier.below_minimum"]
	[o.rule_id | some o in decision.obligations] == [
		"obligations.domestic_host_stack", "obligations.government_cloud",
		"obligations.mlps_cloud_extension", "obligations.mlps_filing",
	]
	"huawei-ascend-910b3" in decision.accelerators.allowed
	not "nvidia-h100-sxm" in decision.accelerators.allowed
	{"accelerator": "nvidia-h100-sxm", "rule_ids": ["domestic.sector_mandate"]} in decision.accelerators.excluded
}

test_allow_research_decision if {
	decision := main.decision with input as fx.with_context({"sector": "research", "data_class": "public", "requested_tier": "vpc"})
	decision.verdict == "allow"
	decision.tier.minimum == "shared_cloud"
	decision.tier.selected == "vpc"
	decision.violations == []
	decision.domestic_substitution == {"required": false, "preferred": false, "rule_ids": []}
	decision.accelerators.excluded == []
	count(decision.accelerators.allowed) == count(data.tiergate.reference.accelerators.by_id)
}

test_warnings_alone_allow if {
	decision := main.decision with input as fx.with_context({"sector": "energy", "requested_accelerator": "nvidia-h20"})
	decision.verdict == "allow"
	[v.severity | some v in decision.violations] == ["warn", "warn", "warn"]
}

test_excluded_lists_every_rule if {
	decision := main.decision with input as fx.with_context({"sector": "defense", "procurement": "new"})
	{"accelerator": "nvidia-b200-hgx", "rule_ids": ["domestic.sector_mandate", "export.excluded_part"]} in decision.accelerators.excluded
}

test_minimum_falls_back_to_lowest_tier_without_floors if {
	decision := main.decision with input as fx.with_context({"data_class": "unclassified"})
	decision.tier.minimum == "shared_cloud"
	decision.tier.basis == []
}

test_provenance_has_the_decision_and_no_bundles_for_plain_files if {
	answer := main.decision_with_provenance with input as fx.with_context({"sector": "research"})
	answer.decision == main.decision with input as fx.with_context({"sector": "research"})
	answer.bundles == {}
}

test_provenance_reports_the_manifests_of_served_bundles if {
	bundles := {"policies.tar.gz": {"manifest": {"revision": "abc", "roots": [""]}}}
	answer := main.decision_with_provenance with input as fx.with_context({"sector": "research"})
		with data.system.bundles as bundles
	answer.bundles == bundles
}

_rule_ids := [entry.rule_id | some entry in main.catalogue]

# Every catalogue rule explains itself: a rule package without `explain` (or one whose explain is
# not built by lib/result.explanation from its own metadata) fails here, like catalogue_entry.
test_every_catalogue_rule_defines_its_explanation if {
	every context in [{}, {"sector": "finance", "public_service": true}, {"evaluation_time": "yesterday"}] {
		explained := {id |
			some area, name
			id := data.tiergate.rules[area][name].explain.rule_id
			concat(".", [area, name]) == id
		} with input as fx.with_context(context)
		explained == {id | some id in _rule_ids}
	}
}

test_explanations_list_every_catalogue_rule_once_in_order if {
	explanations := main.explanations with input as fx.with_context({"sector": "finance"})
	[e.rule_id | some e in explanations] == _rule_ids
	every e in explanations {
		_fired_without_reason_or_reason_without_firing(e)
	}
}

_fired_without_reason_or_reason_without_firing(e) if {
	e.fired == true
	e.reason == null
	e.reason_zh == null
}

_fired_without_reason_or_reason_without_firing(e) if {
	e.fired == false
	e.reason != ""
	e.reason_zh != ""
	is_string(e.reason)
	is_string(e.reason_zh)
}

test_explain_a_fired_rule_gives_its_result if {
	explanations := main.explanations with input as fx.with_context({"requested_accelerator": "nvidia-h20"})
	some e in explanations
	e.rule_id == "export.restricted_part"
	e == {
		"rule_id": "export.restricted_part",
		"fired": true,
		"reason": null,
		"reason_zh": null,
		"result": {
			"violations": [{
				"rule_id": "export.restricted_part",
				"severity": "warn",
				"message": "requested accelerator nvidia-h20: US export licence required, case-by-case review (since 2026-01-15); procurement rental, region cn, so supply may stop",
				"message_zh": "所申请的加速卡英伟达HGX H20 96GB（中国特供版）：美国对华出口须申领许可证，按个案审查（自2026年1月15日起）；采购方式：租用；部署地区：中国内地；供应可能中断",
			}],
			"obligations": [],
			"tier_floors": [],
			"excluded_accelerators": [],
			"substitution": null,
		},
	}
}

test_explain_an_unfired_rule_gives_its_own_reason if {
	explanations := main.explanations with input as fx.with_context({"requested_accelerator": "huawei-ascend-910b3"})
	some e in explanations
	e.rule_id == "export.restricted_part"
	e == {
		"rule_id": "export.restricted_part",
		"fired": false,
		"reason": "requested accelerator huawei-ascend-910b3 is domestic: no US export licence applies",
		"reason_zh": "所申请的加速卡华为昇腾910B3为国产加速卡，不涉及美国出口许可",
		"result": {"violations": [], "obligations": [], "tier_floors": [], "excluded_accelerators": [], "substitution": null},
	}
}

test_explain_a_substitution_alone_counts_as_fired if {
	explanations := main.explanations with input as fx.with_context({"sector": "finance", "requested_accelerator": "huawei-ascend-910b3"})
	some e in explanations
	e.rule_id == "domestic.finance_phase_in"
	e.fired
	e.result.substitution == "preferred"
	e.result.violations == []
}

test_explain_tier_floors_and_exclusions_are_results if {
	explanations := main.explanations with input as fx.with_context({"sector": "government"})
	floors := [e | some e in explanations; e.rule_id == "tier.sector_matrix"][0]
	floors.fired
	[f.tier | some f in floors.result.tier_floors] == ["vpc"]
	mandate := [e | some e in explanations; e.rule_id == "domestic.sector_mandate"][0]
	"nvidia-h100-sxm" in mandate.result.excluded_accelerators
	not "huawei-ascend-910b3" in mandate.result.excluded_accelerators
}

test_decision_explained_is_the_decision_with_provenance_and_explanations if {
	input_doc := fx.with_context({"sector": "research"})
	answer := main.decision_explained with input as input_doc
	answer.decision == main.decision with input as input_doc
	answer.bundles == {}
	answer.explanations == main.explanations with input as input_doc
}
