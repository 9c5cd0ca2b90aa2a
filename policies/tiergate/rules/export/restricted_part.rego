# METADATA
# title: Accelerators that need a US export licence are flagged
# description: >-
#   Where the US export rules for China apply (installation in mainland China, Hong Kong or Macau,
#   or a buyer headquartered there), an accelerator whose export status in force at the evaluation
#   time has the action `warn` for this procurement type — a licence reviewed case-by-case (or
#   under an unpublished policy) for any procurement, one reviewed under a presumption of denial
#   when rented or already owned — is listed as a warning: supply may stop.
# related_resources:
#   - ref: https://www.govinfo.gov/content/pkg/FR-2026-01-15/html/2026-00789.htm
#     description: 91 FR 1684 (effective 2026-01-15) — case-by-case review for the H200 and less advanced chips
#   - ref: https://www.federalregister.gov/d/2023-23055
#     description: 88 FR 73458 (effective 2023-11-17) — A800, H800, L40S, RTX 4090 need a licence
#   - ref: https://www.federalregister.gov/d/2022-21658
#     description: 87 FR 62186 (effective 2022-10-07) — A100 and H100 need a licence
#   - ref: https://www.bis.gov/press-release/commerce-implements-new-export-controls-advanced-computing-and-semiconductor
#     description: BIS press release of 2022-10-07 on the advanced computing controls
# custom:
#   title_zh: 须申领美国出口许可的加速卡提示
#   kind: violation
#   severity: warn
package tiergate.rules.export.restricted_part

import data.tiergate.lib.export
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_export := data.tiergate.reference.export

# The review policies under which a part is only flagged for this procurement (case by case and
# unpublished policies for any procurement, a presumption of denial when rented or owned).
_warning_policies contains policy if {
	some policy, action in _export.actions[facts.ctx.procurement]
	action == "warn"
}

# The subjects with any US export status entry, by the catalogue build's index (one
# object.keys call): none when they are all domestic, and then no window is dated.
_dated_subjects := hardware.subjects & object.keys(data.tiergate.reference.accelerators.with_dated_facts.export_status_cn)

warn contains violation if {
	export.in_scope
	count(_dated_subjects) > 0

	# Through the catalogue's index by review policy and window (scripts/build_catalog.py, as
	# export.excluded_part): only the few windows of a warning policy are tested against the
	# evaluation time, not every entry of every subject's history (~190 in_force calls a
	# decision when the subjects are all the foreign candidates).
	some policy in _warning_policies
	some status in data.tiergate.reference.accelerators.export_windows_by_review_policy[policy]
	facts.in_force(status)
	some id in status.accelerators
	id in _dated_subjects
	text := _export.review_text[status.review_policy]
	violation := result.warn(
		rego.metadata.chain(),
		sprintf(
			"%s accelerator %s: %s (since %s); procurement %s, %s, so supply may stop",
			[hardware.subject_kind, id, text.en, export.date_en(status.effective_from), facts.ctx.procurement, export.scope_en],
		),
		sprintf(
			"%s加速卡%s：%s（自%s起）；采购方式：%s；%s；供应可能中断",
			[hardware.subject_kind_zh, facts.accelerator_zh(id), text.zh, export.date_zh(status.effective_from), export.procurement_zh, export.scope_zh],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_subjects := concat(", ", sort(hardware.subjects))

_subjects_zh := facts.accelerators_zh(hardware.subjects)

_why_not := export.out_of_scope_reason if {
	not export.in_scope
} else := export.no_subjects_reason if {
	count(hardware.subjects) == 0
} else := [
	sprintf("%s accelerator %s is domestic: no US export licence applies", [hardware.subject_kind, _subjects]),
	sprintf("%s加速卡%s为国产加速卡，不涉及美国出口许可", [hardware.subject_kind_zh, _subjects_zh]),
] if {
	every id in hardware.subjects {
		facts.accelerators[id].domestic == true
	}
} else := [
	sprintf(
		"%s accelerator %s: no export status in force at the evaluation time calls for a licence warning for procurement %s",
		[hardware.subject_kind, _subjects, facts.ctx.procurement],
	),
	sprintf("%s加速卡%s：评估日期没有需就%s提示出口许可的管制状态", [hardware.subject_kind_zh, _subjects_zh, export.procurement_zh]),
]
