package tiergate.rules.tier.cii_operator_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.cii_operator

test_floor_designated_operator_in_any_sector if {
	cii_operator.tier_floor == {{
		"rule_id": "tier.cii_operator",
		"tier": "appliance",
		"message": "a designated CII operator with sensitive data needs at least appliance (judgement)",
		"message_zh": "关键信息基础设施运营者处理敏感数据，最低部署层级为本地GPU一体机（appliance，判断性规则）",
	}} with input as fx.with_context({"cii_operator": true, "data_class": "sensitive"})
}

test_floor_public_data_of_an_operator_stays_off_shared_cloud if {
	some entry in cii_operator.tier_floor with input as fx.with_context({"sector": "finance", "cii_operator": true, "data_class": "public"})
	entry.tier == "vpc"
}

test_allow_energy_without_designation if {
	cii_operator.tier_floor == set() with input as fx.with_context({"sector": "energy"})
}
