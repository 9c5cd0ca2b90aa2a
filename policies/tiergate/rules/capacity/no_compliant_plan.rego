# METADATA
# title: No compliant hardware plan
# description: >-
#   Denies when none of the feasible hardware plans from the sizing engine uses an accelerator the
#   rules allow here (or there is no plan at all): nothing compliant can be recommended.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (2024) Art. 30 — where domestic, classified-grade equipment is required
#   - ref: https://www.federalregister.gov/documents/2023/10/25/2023-23055/implementation-of-additional-export-controls-certain-advanced-computing-items-supercomputer-and
#     description: US export controls on advanced computing items (88 FR 73458, 2023-10-25)
# custom:
#   title_zh: 无合规硬件方案
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
	count(facts.candidate_accelerators & hardware.allowed_ids) == 0
	ids := sort(facts.candidate_accelerators)
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			"no compliant hardware plan: none of the %d candidate plans (%s) uses an allowed accelerator",
			[count(facts.candidates), concat(", ", ids)],
		),
		sprintf("没有合规的硬件方案：%d个候选方案（%s）均未使用允许的加速卡", [count(facts.candidates), facts.accelerators_zh(ids)]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_allowed_plans := [plan.accelerator | some plan in facts.candidates; plan.accelerator in hardware.allowed_ids]

default _why_not := ["no candidate plan uses an allowed accelerator", "没有候选方案使用允许的加速卡"]

_why_not := [
	sprintf("%d of the %d candidate plans use an allowed accelerator, the cheapest %s", [count(_allowed_plans), count(facts.candidates), _allowed_plans[0]]),
	sprintf("%d个候选方案中有%d个使用允许的加速卡，最经济的为%s", [count(facts.candidates), count(_allowed_plans), facts.accelerator_zh(_allowed_plans[0])]),
] if {
	count(_allowed_plans) > 0
}
