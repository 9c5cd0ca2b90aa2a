package tiergate.rules.tier.sector_matrix_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.sector_matrix

test_floor_finance_important if {
	sector_matrix.tier_floor == {{
		"rule_id": "tier.sector_matrix",
		"tier": "bare_metal",
		"message": "sector finance (group finance) with important data needs at least bare_metal (judgement)",
		"message_zh": "行业 finance（金融）处理重要数据，最低部署层级为 专属裸金属服务器（bare_metal）",
	}} with input as fx.with_context({"sector": "finance", "data_class": "important"})
}

test_floor_energy_is_critical_infrastructure if {
	some entry in sector_matrix.tier_floor with input as fx.with_context({"sector": "energy", "data_class": "public"})
	entry.tier == "vpc"
	startswith(entry.message, "sector energy (group critical_infrastructure)")
}

test_floor_defaults_to_general_data if {
	some entry in sector_matrix.tier_floor with input as fx.with_context({"sector": "defense", "data_class": null})
	entry.tier == "classified_facility"
}

test_floor_unmapped_sector_is_general_group if {
	some entry in sector_matrix.tier_floor with input as fx.with_context({"sector": "space", "data_class": "important"})
	entry.tier == "appliance"
}

test_allow_unknown_data_class_sets_no_floor if {
	sector_matrix.tier_floor == set() with input as fx.with_context({"data_class": "unclassified"})
}
