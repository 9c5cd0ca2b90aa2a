# METADATA
# title: Accelerators that cannot be procured new in China
# description: >-
#   For a region in data.tiergate.reference.export.regions (mainland China) and a procurement type
#   whose action for the part's export status (accelerators/data.json export_status_cn) is
#   `exclude` — by default prohibited parts bought new — the part is excluded and requesting it
#   is denied.
# related_resources:
#   - ref: https://wyomingstarnews.org/2025/12/09/trump-opens-door-for-nvidia-to-sell-h200-chips-to-china-softening-export-controls
#     description: US export controls, Dec 2025 — Blackwell stays off-limits to China
#   - ref: https://sanctionsnews.bakermckenzie.com/bis-begins-rescinding-ai-diffusion-rule-and-issues-guidance-on-huawei-ics-and-on-ics-and-commodities-used-to-train-ai-models
#     description: BIS rescinds the AI Diffusion Rule; China controls stay
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.export.excluded_part

import data.tiergate.lib.facts
import data.tiergate.lib.result

_export := data.tiergate.reference.export

_excluded contains id if {
	facts.ctx.region in _export.regions
	some id, accelerator in facts.accelerators
	_export.actions[facts.ctx.procurement][accelerator.export_status_cn.status] == "exclude"
}

exclude contains result.exclusion(rego.metadata.chain(), id) if some id in _excluded

deny contains violation if {
	id := facts.ctx.requested_accelerator
	id in _excluded
	status := facts.accelerators[id].export_status_cn
	text := _export.status_text[status.status]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			"requested %s is %s (%s since %v) and procurement is %s in region %s",
			[id, text.en, status.status, status.since, facts.ctx.procurement, facts.ctx.region],
		),
		sprintf(
			"所申请的 %s %s（%s，自 %v 起），采购方式为 %s，地区 %s",
			[id, text.zh, status.status, status.since, facts.ctx.procurement, facts.ctx.region],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
