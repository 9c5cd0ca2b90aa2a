package tiergate.lib.exceptions_test

import data.tiergate.fixtures_test as fx
import data.tiergate.lib.exceptions
import data.tiergate.main

# Finance, general data, shared cloud requested: tier.below_minimum denies (minimum vpc).
_context := {"sector": "finance", "requested_tier": "shared_cloud"}

_exception(changes) := object.union(
	{
		"id": "exc-1",
		"rule_id": "tier.below_minimum",
		"scope": {"sector": "finance", "organization": "digest-of-acme", "workload_name": null, "accelerator": null, "tier": "shared_cloud"},
		"valid_from": "2026-11-01T00:00:00Z",
		"expires_at": "2027-05-01T00:00:00Z",
	},
	changes,
)

_input(context, exceptions) := object.union(fx.with_context(object.union(_context, context)), {"exceptions": {
	"subject": {"organization": "digest-of-acme", "workload_name": "digest-of-legal-qa"},
	"active": exceptions,
}})

_below_minimum := {
	"rule_id": "tier.below_minimum",
	"severity": "deny",
	"message": "requested tier shared_cloud is below the minimum vpc set by tier.sector_matrix",
	"message_zh": "所申请的部署层级云服务器/容器低于最低要求专有网络VPC（依据“按行业分组和数据级别确定的最低部署层级”规则）",
}

test_deny_without_exceptions if {
	decision := main.decision with input as fx.with_context(_context)
	decision.verdict == "deny"
	decision.violations == [_below_minimum]
	decision.exceptions_applied == []
}

test_exception_in_scope_turns_deny_into_allow_and_marks_the_violation if {
	decision := main.decision with input as _input({}, [_exception({})])
	decision.verdict == "allow"
	decision.violations == [object.union(_below_minimum, {"excepted": {"exception_id": "exc-1", "expires_at": "2027-05-01T00:00:00Z"}})]
	decision.exceptions_applied == [{
		"exception_id": "exc-1",
		"expires_at": "2027-05-01T00:00:00Z",
		"rule_ids": ["tier.below_minimum"],
		"message": "approved exception exc-1 waives tier.below_minimum until 2027-05-01T00:00:00Z",
		"message_zh": "经批准的例外（编号exc-1）豁免“所申请的部署层级低于最低要求”规则，于2027年5月1日失效",
	}]
}

test_exception_out_of_scope_does_not_apply if {
	decision := main.decision with input as _input({}, [_exception({"scope": {"sector": "healthcare"}})])
	decision.verdict == "deny"
	decision.violations == [_below_minimum]
	decision.exceptions_applied == []
}

# The cases below read lib/exceptions.marks alone: a whole decision per case is slow.
test_exception_for_another_subject_or_rule_marks_nothing if {
	every changes in [
		{"scope": {"organization": "digest-of-another"}},
		{"scope": {"workload_name": "digest-of-another"}},
		{"scope": {"accelerator": "nvidia-h20"}},
		{"scope": {"tier": "vpc"}},
		{"scope": {"region": "cn"}}, # not a scope field: never matches
	] {
		exceptions.marks == {} with input as _input({}, [_exception(changes)])
	}
	other_rule := _input({}, [_exception({"rule_id": "domestic.sector_mandate"})])
	excepted := {"exception_id": "exc-1", "expires_at": "2027-05-01T00:00:00Z"}
	exceptions.marks == {"domestic.sector_mandate": {"excepted": excepted}} with input as other_rule
}

test_exception_applies_from_valid_from_until_before_expires_at if {
	every case in [
		["2026-10-31T23:59:59Z", 0],
		["2026-11-01T00:00:00Z", 1],
		["2027-04-30T23:59:59Z", 1],
		["2027-05-01T00:00:00Z", 0],
	] {
		count(exceptions.marks) == case[1] with input as _input({"evaluation_time": case[0]}, [_exception({})])
	}
}

test_state_secret_rules_are_never_excepted if {
	exceptions := [
		_exception({"scope": {"tier": null}}),
		_exception({"id": "exc-2", "rule_id": "domestic.state_secret", "scope": {"tier": null}}),
	]
	decision := main.decision with input as _input({"state_secret": "secret", "requested_accelerator": "nvidia-h20"}, exceptions)
	decision.verdict == "deny"
	{"tier.below_minimum", "domestic.state_secret"} == {v.rule_id | some v in decision.violations; v.severity == "deny"}
	every violation in decision.violations {
		not violation.excepted
	}
	decision.exceptions_applied == []
}

test_the_exception_expiring_last_is_named if {
	exceptions := [
		_exception({}),
		_exception({"id": "exc-2", "expires_at": "2027-06-01T00:00:00Z"}),
		_exception({"id": "exc-3", "expires_at": "2027-02-01T00:00:00Z"}),
	]
	decision := main.decision with input as _input({}, exceptions)
	decision.violations[0].excepted == {"exception_id": "exc-2", "expires_at": "2027-06-01T00:00:00Z"}
	[a.exception_id | some a in decision.exceptions_applied] == ["exc-2"]
}

test_catalogue_says_which_rules_are_exceptable if {
	refused := {entry.rule_id | some entry in main.catalogue; entry.exceptable == false}
	refused == {"tier.state_secret", "domestic.state_secret", "export.excluded_part"}
}
