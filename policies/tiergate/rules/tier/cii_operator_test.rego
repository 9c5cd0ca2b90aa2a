package tiergate.rules.tier.cii_operator_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.cii_operator

test_floor_designated_operator_in_any_sector if {
	cii_operator.tier_floor == {{
		"rule_id": "tier.cii_operator",
		"tier": "appliance",
		"message": "a designated CII operator with sensitive data needs at least appliance (judgement)",
		"message_zh": "关键信息基础设施运营者处理敏感数据，最低部署层级为本地GPU一体机（判断性规则）",
	}} with input as fx.with_context({"cii_operator": true, "data_class": "sensitive"})
}

test_floor_public_data_of_an_operator_stays_off_shared_cloud if {
	some entry in cii_operator.tier_floor with input as fx.with_context({"sector": "finance", "cii_operator": true, "data_class": "public"})
	entry.tier == "vpc"
}

test_allow_energy_without_designation if {
	cii_operator.tier_floor == set() with input as fx.with_context({"sector": "energy"})
}

test_explain_not_cii if {
	cii_operator.explain == {
		"reason": "not a designated CII operator (context.cii_operator)",
		"reason_zh": "非关键信息基础设施运营者",
		"rule_id": "tier.cii_operator",
	} with input as fx.with_context({})
}

test_explain_no_cell if {
	cii_operator.explain == {
		"reason": "a CII operator with secret_sauce data: the tier matrix sets no floor for it",
		"reason_zh": "关键信息基础设施运营者处理secret_sauce：层级矩阵未规定最低层级",
		"rule_id": "tier.cii_operator",
	} with input as fx.with_context({"cii_operator": true, "data_class": "secret_sauce"})
}
