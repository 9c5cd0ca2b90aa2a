package tiergate.lib.facts_test

import data.tiergate.lib.facts

_at(instant) := {"context": {"sector": "internet", "evaluation_time": instant}}

_entry := {"effective_from": "2026-01-15T00:00:00-05:00", "effective_until": "2027-01-01T00:00:00+08:00"}

test_in_force_inside_the_window if {
	facts.in_force(_entry) with input as _at("2026-06-01T00:00:00Z")
}

test_in_force_from_is_inclusive if {
	facts.in_force(_entry) with input as _at("2026-01-15T05:00:00Z")
}

test_not_in_force_before_from if {
	not facts.in_force(_entry) with input as _at("2026-01-15T04:59:59Z")
}

test_not_in_force_at_until if {
	not facts.in_force(_entry) with input as _at("2026-12-31T16:00:00Z")
}

test_open_ended_entry if {
	facts.in_force({"effective_from": "2020-01-01T00:00:00Z"}) with input as _at("2100-01-01T00:00:00Z")
	facts.in_force({}) with input as _at("2100-01-01T00:00:00Z")
}

test_unparsable_time_is_never_in_force if {
	not facts.in_force({}) with input as _at("not a time")
	not facts.in_force(_entry) with input as _at("10000-01-01T00:00:00Z")
}

test_in_force_entries_picks_the_current_one if {
	history := [
		{"status": "a", "effective_until": "2026-01-15T00:00:00Z"},
		{"status": "b", "effective_from": "2026-01-15T00:00:00Z"},
	]
	facts.in_force_entries(history) == [history[0]] with input as _at("2025-06-01T00:00:00Z")
	facts.in_force_entries(history) == [history[1]] with input as _at("2026-06-01T00:00:00Z")
}

test_dates_read_in_beijing_time if {
	facts.date_zh("2026-12-31T16:00:00Z") == "2027年1月1日"
	facts.date_zh("2025-09-01T00:00:00+08:00") == "2025年9月1日"
}

test_region_names_in_chinese if {
	facts.region_zh("hk") == "中国香港"
	facts.region_zh("mo") == "中国澳门"
	facts.region_zh("zz") == "zz"
}

test_sensitive_personal_information_lifts_only_lower_classes if {
	facts.data_class == "sensitive" with input as {"context": {"sector": "internet", "data_class": "public", "sensitive_personal_information": true}}
	facts.data_class_lifted with input as {"context": {"sector": "internet", "data_class": "general", "sensitive_personal_information": true}}
	facts.data_class == "core" with input as {"context": {"sector": "internet", "data_class": "core", "sensitive_personal_information": true}}
	not facts.data_class_lifted with input as {"context": {"sector": "internet", "data_class": "sensitive", "sensitive_personal_information": true}}
	facts.data_class == "general" with input as {"context": {"sector": "internet", "personal_information": true}}
}

test_rule_in_force_reads_effective_dates if {
	not facts.rule_in_force("obligations.ai_content_labeling") with input as _at("2025-08-31T15:59:59Z")
	facts.rule_in_force("obligations.ai_content_labeling") with input as _at("2025-08-31T16:00:00Z")
	facts.rule_in_force("tier.sector_matrix") with input as _at("2000-01-01T00:00:00Z")
}

test_people_counts_read_in_chinese if {
	facts.people_zh(200000) == "20万"
	facts.people_zh(10000000) == "1000万"
	facts.people_zh(12345) == "12345"
	facts.people_zh(0) == "0"
}

test_not_in_force_reason_before_the_start if {
	facts.not_in_force_reason({"effective_from": "2027-01-01T00:00:00+08:00"}) == [
		"not yet in force on 2026-06-01 (in force from 2027-01-01)",
		"评估日期2026年6月1日尚未施行（自2027年1月1日起施行）",
	] with input as _at("2026-06-01T00:00:00+08:00")
}

test_not_in_force_reason_after_the_end if {
	facts.not_in_force_reason({"effective_from": "2020-01-01T00:00:00+08:00", "effective_until": "2026-01-01T00:00:00+08:00"}) == [
		"no longer in force on 2026-06-01 (superseded from 2026-01-01)",
		"评估日期2026年6月1日已不再施行（自2026年1月1日起废止）",
	] with input as _at("2026-06-01T00:00:00+08:00")
}

test_not_in_force_reason_without_a_time if {
	facts.rule_not_in_force_reason("obligations.genai_filing") == [
		"the evaluation time cannot be parsed, so no dated rule applies",
		"评估时间无法解析，无法判断该规定是否已施行",
	] with input as _at("yesterday")
}

test_no_reason_while_in_force if {
	not facts.not_in_force_reason({"effective_from": "2020-01-01T00:00:00+08:00"}) with input as _at("2026-06-01T00:00:00+08:00")
}
