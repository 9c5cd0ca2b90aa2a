# METADATA
# title: Export-restricted accelerators are flagged
# description: >-
#   For a region in data.tiergate.reference.export.regions (mainland China), an accelerator whose
#   export status has the action `warn` for this procurement type — licence-required parts always,
#   prohibited parts when rented or already owned — is listed as a warning: supply may stop.
# related_resources:
#   - ref: https://www.ingameloop.com/news/us-banned-nvidias-gpu-from-china/
#     description: US 2023-10-17 rule (TPP ≥ 4,800) — A800, H800, RTX 4090 need a licence
#   - ref: https://euroasia24.com/?p=23530
#     description: H20 needs a licence "for the indefinite future" (2025-04-09)
#   - ref: https://www.asianfin.com/articles/229738
#     description: H200 exportable to approved customers (2025-12-08)
# custom:
#   kind: violation
#   severity: warn
package tiergate.rules.export.restricted_part

import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_export := data.tiergate.reference.export

warn contains violation if {
	facts.ctx.region in _export.regions
	some id in hardware.subjects
	status := facts.accelerators[id].export_status_cn
	_export.actions[facts.ctx.procurement][status.status] == "warn"
	text := _export.status_text[status.status]
	violation := result.warn(
		rego.metadata.chain(),
		sprintf(
			"%s accelerator %s is %s (%s since %v); procurement %s, so supply may stop",
			[hardware.subject_kind, id, text.en, status.status, status.since, facts.ctx.procurement],
		),
		sprintf(
			"%s加速卡 %s %s（%s，自 %v 起）；采购方式 %s，供应可能中断",
			[hardware.subject_kind_zh, id, text.zh, status.status, status.since, facts.ctx.procurement],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
