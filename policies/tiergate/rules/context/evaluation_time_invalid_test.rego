package tiergate.rules.context.evaluation_time_invalid_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.context.evaluation_time_invalid

_violation(shown) := {
	"rule_id": "context.evaluation_time_invalid",
	"severity": "deny",
	"message": sprintf("evaluation time %s is not an RFC 3339 instant from 1677-09-21 to 2262-04-11: no dated rule applies", [shown]),
	"message_zh": "评估时间无法解析（须为1677年9月21日至2262年4月11日之间带时区的时间），无法判断哪些规定已生效，故拒绝",
}

test_deny_beyond_the_nanosecond_range if {
	evaluation_time_invalid.deny == {_violation("2262-04-12T00:00:00Z")} with input as fx.with_context({"evaluation_time": "2262-04-12T00:00:00Z"})
}

test_deny_year_one if {
	evaluation_time_invalid.deny == {_violation("0001-01-01T00:00:00Z")} with input as fx.with_context({"evaluation_time": "0001-01-01T00:00:00Z"})
}

test_deny_not_a_date if {
	evaluation_time_invalid.deny == {_violation("yesterday")} with input as fx.with_context({"evaluation_time": "yesterday"})
}

test_allow_a_readable_time if {
	evaluation_time_invalid.deny == set() with input as fx.with_context({})
}

test_allow_the_last_nanosecond if {
	evaluation_time_invalid.deny == set() with input as fx.with_context({"evaluation_time": "2262-04-11T23:47:16.854775807Z"})
}

test_explain_valid_time if {
	evaluation_time_invalid.explain == {
		"reason": "evaluation time 2027-01-01T00:00:00+08:00 is a valid RFC 3339 instant",
		"reason_zh": "评估时间有效（北京时间2027年1月1日）",
		"rule_id": "context.evaluation_time_invalid",
	} with input as fx.with_context({"evaluation_time": "2027-01-01T00:00:00+08:00"})
}

test_explain_when_fired_invalid_time if {
	evaluation_time_invalid.explain == {
		"reason": "evaluation time cannot be parsed",
		"reason_zh": "评估时间无法解析",
		"rule_id": "context.evaluation_time_invalid",
	} with input as fx.with_context({"evaluation_time": "yesterday"})
}
