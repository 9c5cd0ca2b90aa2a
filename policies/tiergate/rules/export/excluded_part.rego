# METADATA
# title: Accelerators whose US export licence is reviewed under a presumption of denial
# description: >-
#   Where the US export rules for China apply (installation in mainland China, Hong Kong or Macau,
#   or a buyer headquartered there wherever the hardware goes), a part whose export status in force
#   at the evaluation time (accelerators/data.json export_status_cn.history) needs a licence
#   reviewed under a presumption of denial cannot in practice be bought new: it is excluded for a
#   new purchase and requesting it is denied. It is not prohibited as such; the licence is
#   expected to be refused.
# related_resources:
#   - ref: https://www.federalregister.gov/d/2023-23055
#     description: 88 FR 73458 (effective 2023-11-17) — 3A090 thresholds, Macau and D:5, China-headquartered buyers anywhere
#   - ref: https://www.govinfo.gov/content/pkg/FR-2026-01-15/html/2026-00789.htm
#     description: 91 FR 1684 (effective 2026-01-15) — case-by-case only below TPP 21,000 and 6,500 GB/s; above, presumption of denial stays
#   - ref: https://www.federalregister.gov/d/2022-21658
#     description: 87 FR 62186 (effective 2022-10-07) — ECCN 3A090 licence requirement for China
#   - ref: https://www.federalregister.gov/d/2020-28101
#     description: 85 FR 83765 (2020-12-23) — Hong Kong governed by the EAR entry for China
# custom:
#   title_zh: 美国出口许可推定拒绝的加速卡
#   exceptable: false
#   kind: violation
#   severity: deny
package tiergate.rules.export.excluded_part

import data.tiergate.lib.export
import data.tiergate.lib.facts
import data.tiergate.lib.result

_export := data.tiergate.reference.export

# The review policies under which a part is excluded for this procurement (a presumption of
# denial, for a new purchase; none for rental or existing hardware). The action is checked
# before the date, so that only windows that could exclude are dated.
_excluding_policies contains policy if {
	some policy, action in _export.actions[facts.ctx.procurement]
	action == "exclude"
}

_excludes_for_this_procurement if count(_excluding_policies) > 0

# Accelerator ID -> the window (review policy, effective_from, effective_until) that excludes
# it, through the catalogue's index by review policy and window (scripts/build_catalog.py): only
# the few windows of an excluding policy are tested against the evaluation time, not every
# entry of every part's dated history (those were 40 % of the decision's evaluation steps).
_excluded[id] := window if {
	export.in_scope
	some policy in _excluding_policies
	some window in data.tiergate.reference.accelerators.export_windows_by_review_policy[policy]
	facts.in_force(window)
	some id in window.accelerators
}

# The IDs this rule excludes, a set: what the decision reads (lib/hardware, through the generated
# lib/registry.rego); `exclude` spells them out for the explanations.
excluded_ids := object.keys(_excluded)

exclude contains exclusion if {
	some exclusion in result.exclusions_of(result.rule_id(rego.metadata.chain()), excluded_ids)
}

deny contains violation if {
	id := facts.ctx.requested_accelerator
	status := _excluded[id]
	text := _export.review_text[status.review_policy]
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			"requested %s: %s (since %s); procurement %s, %s",
			[id, text.en, export.date_en(status.effective_from), facts.ctx.procurement, export.scope_en],
		),
		sprintf(
			"所申请的加速卡%s：%s（自%s起）；采购方式：%s；%s",
			[facts.accelerator_zh(id), text.zh, export.date_zh(status.effective_from), export.procurement_zh, export.scope_zh],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("procurement %s: an export status never excludes a part (at most a warning, see export.restricted_part)", [facts.ctx.procurement]),
	sprintf("采购方式为%s：出口管制状态不排除加速卡（至多作出提示，见出口许可提示规则）", [export.procurement_zh]),
] if {
	not _excludes_for_this_procurement
} else := export.out_of_scope_reason if {
	not export.in_scope
} else := [
	sprintf("no catalogue accelerator is barred for procurement %s at the evaluation time", [facts.ctx.procurement]),
	sprintf("评估日期没有加速卡因出口管制不得%s", [export.procurement_zh]),
]
