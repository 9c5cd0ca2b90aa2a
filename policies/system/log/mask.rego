# METADATA
# title: Decision-log masking
# description: >-
#   OPA's own decision log (console sink of the managed OPA) must not hold in clear the request
#   fields that tiergate stores only as salted digests. The field list is the same policy data
#   the service reads (tiergate.reference.masking), so both logs mask the same fields.
# related_resources:
#   - ref: https://www.openpolicyagent.org/docs/management-decision-logs#masking-sensitive-data
#     description: OPA decision logs — masking sensitive data with system.log.mask
#   - ref: http://crsrw.com/falvzixun/12951.html
#     description: 个人信息保护法 Art. 51 — security measures (de-identification) for stored personal information
package system.log

# METADATA
# title: Masked decision-log paths
# description: JSON pointers into the decision-log event OPA erases before it writes the event.
mask contains concat("/", ["", "input", replace(field.path, ".", "/")]) if {
	some field in data.tiergate.reference.masking.fields
}
