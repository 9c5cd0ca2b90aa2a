package tiergate.rules.tier.sector_matrix_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.sector_matrix

test_floor_finance_important if {
	sector_matrix.tier_floor == {{
		"rule_id": "tier.sector_matrix",
		"tier": "bare_metal",
		"message": "sector finance (group finance) with important data needs at least bare_metal (judgement)",
		"message_zh": "金融行业处理重要数据，最低部署层级为专属裸金属服务器（判断性规则）",
	}} with input as fx.with_context({"sector": "finance", "data_class": "important"})
}

test_floor_energy_is_in_the_infrastructure_row_not_a_cii_designation if {
	sector_matrix.tier_floor == {{
		"rule_id": "tier.sector_matrix",
		"tier": "vpc",
		"message": "sector energy (group infrastructure) with public data needs at least vpc (judgement)",
		"message_zh": "能源行业处理公开数据，最低部署层级为专有网络VPC（判断性规则）",
	}} with input as fx.with_context({"sector": "energy", "data_class": "public"})
}

test_floor_sensitive_personal_information_lifts_general_data_to_sensitive if {
	sector_matrix.tier_floor == {{
		"rule_id": "tier.sector_matrix",
		"tier": "appliance",
		"message": "sector healthcare (group healthcare) with sensitive data (sensitive personal information counts as sensitive data) needs at least appliance (judgement)",
		"message_zh": "医疗卫生行业处理敏感数据（敏感个人信息按敏感数据对待），最低部署层级为本地GPU一体机（判断性规则）",
	}} with input as fx.with_context({"sector": "healthcare", "sensitive_personal_information": true})
}

test_floor_sensitive_personal_information_never_lowers_the_class if {
	some entry in sector_matrix.tier_floor with input as fx.with_context({"sector": "healthcare", "data_class": "important", "sensitive_personal_information": true})
	entry.tier == "bare_metal"
	not contains(entry.message, "counts as sensitive")
}

test_floor_basis_rule_reads_in_chinese if {
	some entry in sector_matrix.tier_floor with input as fx.with_context({"sector": "government"})
	entry.message_zh == "党政机关处理一般数据，最低部署层级为专有网络VPC（依据规定）"
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

test_explain_no_cell if {
	sector_matrix.explain == {
		"reason": "the tier matrix has no cell for group general and secret_sauce data",
		"reason_zh": "层级矩阵中没有该行业分组处理secret_sauce的单元格",
		"rule_id": "tier.sector_matrix",
	} with input as fx.with_context({"data_class": "secret_sauce"})
}
