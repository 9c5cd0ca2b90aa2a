# METADATA
# title: Evaluation time cannot be read
# description: >-
#   Denies when the evaluation time is not an RFC 3339 instant the policy engine can count in
#   int64 nanoseconds (1677-09-21 to 2262-04-11): no dated rule or fact can then tell whether it
#   is in force, and a phase-in read as "not yet" would turn a deny into an allow. Fail closed.
# related_resources:
#   - ref: https://www.openpolicyagent.org/docs/policy-reference/builtins/time#builtin-time-timeparse_rfc3339_ns
#     description: OPA time.parse_rfc3339_ns — undefined outside the int64 nanosecond range
#   - ref: https://www.rfc-editor.org/rfc/rfc3339#section-5.6
#     description: RFC 3339 §5.6 — Internet date/time format
# custom:
#   title_zh: 评估时间无法识别
#   kind: violation
#   severity: deny
package tiergate.rules.context.evaluation_time_invalid

import data.tiergate.lib.facts
import data.tiergate.lib.result

_range := "1677-09-21 to 2262-04-11"

deny contains violation if {
	not facts.evaluation_ns
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("evaluation time %v is not an RFC 3339 instant from %s: no dated rule applies", [input.context.evaluation_time, _range]),
		"评估时间无法解析（须为1677年9月21日至2262年4月11日之间带时区的时间），无法判断哪些规定已生效，故拒绝",
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["evaluation time cannot be parsed", "评估时间无法解析"]

_why_not := [
	sprintf("evaluation time %s is a valid RFC 3339 instant", [input.context.evaluation_time]),
	sprintf("评估时间有效（北京时间%s）", [facts.date_zh(input.context.evaluation_time)]),
] if {
	facts.evaluation_ns
}
