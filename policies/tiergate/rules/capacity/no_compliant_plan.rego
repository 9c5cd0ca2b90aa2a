# METADATA
# title: No compliant hardware plan
# description: >-
#   Denies when none of the feasible hardware plans from the sizing engine uses an accelerator the
#   rules allow here (or there is no plan at all): nothing compliant can be recommended.
# related_resources:
#   - ref: https://www.tonguebusy.com/a/tuiguang/kuaishoutuiguang/30-6924-01.html
#     description: 信创 2+8+N — domestic accelerators where required
#   - ref: https://wyomingstarnews.org/2025/12/09/trump-opens-door-for-nvidia-to-sell-h200-chips-to-china-softening-export-controls
#     description: US export controls on accelerators for China
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.capacity.no_compliant_plan

import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

deny contains violation if {
	count(facts.candidates) == 0
	violation := result.deny(
		rego.metadata.chain(),
		"no compliant hardware plan: the sizing engine offered no feasible plan",
		"没有合规的硬件方案：资源估算未给出任何可行方案",
	)
}

deny contains violation if {
	count(facts.candidates) > 0
	every plan in facts.candidates {
		not plan.accelerator in hardware.allowed
	}
	ids := concat(", ", sort({plan.accelerator | some plan in facts.candidates}))
	violation := result.deny(
		rego.metadata.chain(),
		sprintf("no compliant hardware plan: none of the %d candidate plans (%s) uses an allowed accelerator", [count(facts.candidates), ids]),
		sprintf("没有合规的硬件方案：%d 个候选方案（%s）均未使用允许的加速卡", [count(facts.candidates), ids]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
