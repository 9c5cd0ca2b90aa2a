package tiergate.rules.tier.core_business_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.core_business

test_floor_healthcare_core_business if {
	core_business.tier_floor == {{
		"rule_id": "tier.core_business",
		"tier": "bare_metal",
		"message": "core business in sector healthcare needs at least bare_metal (judgement)",
		"message_zh": "医疗卫生行业核心业务系统，最低部署层级为专属裸金属服务器（bare_metal，判断性规则）",
	}} with input as fx.with_context({"sector": "healthcare", "core_business": true})
}

test_allow_core_business_outside_finance_and_healthcare if {
	core_business.tier_floor == set() with input as fx.with_context({"sector": "energy", "core_business": true})
}

test_allow_finance_not_core_business if {
	core_business.tier_floor == set() with input as fx.with_context({"sector": "finance", "core_business": false})
}
