package tiergate.rules.obligations.domestic_host_stack_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.domestic_host_stack

test_obligation_defense if {
	domestic_host_stack.obligation == {{
		"rule_id": "obligations.domestic_host_stack",
		"message": "sector defense: host CPU, operating system, database must be domestic (信创)",
		"message_zh": "军工国防单位：主机CPU、操作系统、数据库须为国产（信创）",
	}} with input as fx.with_context({"sector": "defense"})
}

test_allow_finance if {
	domestic_host_stack.obligation == set() with input as fx.with_context({"sector": "finance"})
}

test_explain_other_sector if {
	domestic_host_stack.explain == {
		"reason": "sector internet is outside defense, government",
		"reason_zh": "互联网行业不属于军工国防单位、党政机关",
		"rule_id": "obligations.domestic_host_stack",
	} with input as fx.with_context({})
}
