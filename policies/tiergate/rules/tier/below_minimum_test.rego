package tiergate.rules.tier.below_minimum_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.below_minimum

test_deny_shared_cloud_for_finance_sensitive if {
	below_minimum.deny == {{
		"rule_id": "tier.below_minimum",
		"severity": "deny",
		"message": "requested tier vpc is below the minimum appliance set by tier.sector_matrix",
		"message_zh": "所申请的部署层级专有网络VPC低于最低要求本地GPU一体机（依据“按行业分组和数据级别确定的最低部署层级”规则）",
	}} with input as fx.with_context({"sector": "finance", "data_class": "sensitive", "requested_tier": "vpc"})
}

test_deny_unknown_tier if {
	below_minimum.deny == {{
		"rule_id": "tier.below_minimum",
		"severity": "deny",
		"message": "requested tier mainframe is not a tier of the ladder (classified_facility, bare_metal, appliance, vpc)",
		"message_zh": "所申请的部署层级“mainframe”不在层级列表中",
	}} with input as fx.with_context({"requested_tier": "mainframe"})
}

test_allow_higher_tier if {
	below_minimum.deny == set() with input as fx.with_context({"requested_tier": "classified_facility"})
}

test_allow_exact_minimum if {
	below_minimum.deny == set() with input as fx.with_context({"requested_tier": "vpc"})
}

test_allow_no_requested_tier if {
	below_minimum.deny == set() with input as fx.with_context({})
}

test_deny_lists_every_basis_rule_joined_for_each_language if {
	some violation in below_minimum.deny with input as fx.with_context({"sector": "finance", "data_class": "important", "core_business": true, "requested_tier": "vpc"})
	endswith(violation.message, "set by tier.core_business, tier.sector_matrix")
	endswith(violation.message_zh, "（依据“金融、医疗核心业务部署于物理服务器（判断性规则）”、“按行业分组和数据级别确定的最低部署层级”规则）")
}

test_explain_nothing_requested if {
	below_minimum.explain == {
		"reason": "no tier is requested: the minimum vpc is selected",
		"reason_zh": "未指定所申请的部署层级，按最低要求选定专有网络VPC",
		"rule_id": "tier.below_minimum",
	} with input as fx.with_context({})
}

test_explain_at_the_minimum if {
	below_minimum.explain == {
		"reason": "requested tier vpc is not below the minimum vpc",
		"reason_zh": "所申请的部署层级专有网络VPC不低于最低要求专有网络VPC",
		"rule_id": "tier.below_minimum",
	} with input as fx.with_context({"requested_tier": "vpc"})
}
