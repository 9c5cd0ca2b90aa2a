package tiergate.rules.tier.core_business_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.core_business

test_floor_healthcare_core_business if {
	core_business.tier_floor == {{
		"rule_id": "tier.core_business",
		"tier": "bare_metal",
		"message": "core business in sector healthcare needs at least bare_metal (judgement)",
		"message_zh": "医疗卫生行业核心业务系统，最低部署层级为专属裸金属服务器（判断性规则）",
	}} with input as fx.with_context({"sector": "healthcare", "core_business": true})
}

test_allow_core_business_outside_finance_and_healthcare if {
	core_business.tier_floor == set() with input as fx.with_context({"sector": "energy", "core_business": true})
}

test_allow_finance_not_core_business if {
	core_business.tier_floor == set() with input as fx.with_context({"sector": "finance", "core_business": false})
}

test_explain_not_core if {
	core_business.explain == {
		"reason": "not a core business system (context.core_business)",
		"reason_zh": "非核心业务系统",
		"rule_id": "tier.core_business",
	} with input as fx.with_context({})
}

test_explain_other_sector if {
	core_business.explain == {
		"reason": "core business in sector internet: the floor applies only in finance, healthcare",
		"reason_zh": "互联网行业核心业务系统：该要求仅适用于金融行业、医疗卫生行业",
		"rule_id": "tier.core_business",
	} with input as fx.with_context({"core_business": true})
}
