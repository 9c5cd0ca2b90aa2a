# METADATA
# title: Requested accelerator not in the catalogue
# description: >-
#   Denies a requested accelerator that is not in the sourced accelerator catalogue
#   (data.tiergate.reference.accelerators): its domestic and export status are unknown, so no
#   rule can clear it.
# related_resources:
#   - ref: https://www.federalregister.gov/documents/2023/10/25/2023-23055/implementation-of-additional-export-controls-certain-advanced-computing-items-supercomputer-and
#     description: US export controls on advanced computing items (88 FR 73458) — a part's status must be known
# custom:
#   title_zh: 所申请的加速卡不在目录中
#   kind: violation
#   severity: deny
package tiergate.rules.hardware.unknown_accelerator

import data.tiergate.lib.facts
import data.tiergate.lib.result

deny contains violation if {
	id := facts.ctx.requested_accelerator
	id != null
	not facts.accelerators[id]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("requested accelerator %s is not in the accelerator catalogue", [id]),
		sprintf("所申请的加速卡“%s”不在加速卡目录中", [id]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["no accelerator is requested", "未指定所申请的加速卡"] if {
	facts.ctx.requested_accelerator == null
} else := [
	sprintf("requested accelerator %s is in the accelerator catalogue", [facts.ctx.requested_accelerator]),
	sprintf("所申请的加速卡%s在加速卡目录中", [facts.accelerator_zh(facts.ctx.requested_accelerator)]),
]
