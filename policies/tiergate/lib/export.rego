# METADATA
# title: Export facts
# description: >-
#   What the export rules share: whether US export licensing reaches this input (the installation
#   region is China under the EAR, or the buyer is headquartered there) and the wording of dates,
#   procurement and scope in messages. Every fact is dated and read with `facts.in_force`.
package tiergate.lib.export

import data.tiergate.lib.facts

_export := data.tiergate.reference.export

# METADATA
# description: True when the installation region is China under the EAR at the evaluation time.
# scope: document
region_in_scope if {
	some entry in _export.scope.regions
	entry.region == facts.ctx.region
	facts.in_force(entry)
}

# METADATA
# description: >-
#   True when US licensing follows the buyer: its ultimate parent is headquartered in China
#   (`context.headquarters`) at an evaluation time when that rule is in force.
# scope: document
headquarters_in_scope if {
	some entry in _export.scope.headquarters
	facts.ctx.headquarters in entry.regions
	facts.in_force(entry)
}

# METADATA
# description: True when the US export rules for China reach this input, by region or headquarters.
# scope: document
in_scope if region_in_scope

in_scope if headquarters_in_scope

# METADATA
# description: The calendar date of an RFC 3339 time as written in it, e.g. 2023-11-17.
date_en(rfc3339) := substring(rfc3339, 0, 10)

# METADATA
# description: The calendar date of an RFC 3339 time in Chinese, e.g. 2023年11月17日.
date_zh(rfc3339) := sprintf("%d年%d月%d日", [to_number(ymd[0]), to_number(ymd[1]), to_number(ymd[2])]) if {
	ymd := split(date_en(rfc3339), "-")
}

# METADATA
# description: The procurement type in Chinese (新购, 租用, 使用已有设备).
procurement_zh := _export.procurement_zh[facts.ctx.procurement]

# METADATA
# description: Why the export rules apply, in English (the region, or the buyer's headquarters).
scope_en := sprintf("region %s", [facts.ctx.region]) if {
	region_in_scope
} else := sprintf("region %s, buyer headquartered in %s", [facts.ctx.region, facts.ctx.headquarters])

# METADATA
# description: Why the export rules apply, in Chinese.
scope_zh := sprintf("部署地区：%s", [facts.region_zh(facts.ctx.region)]) if {
	region_in_scope
} else := sprintf("采购方总部位于%s，设备部署于中国境外", [facts.region_zh(facts.ctx.headquarters)])

# METADATA
# description: Why the US export rules do not reach this input, as [English, Chinese] (for `explain`).
out_of_scope_reason := [
	sprintf("installed in region %s by a buyer headquartered in %s: the US export rules for China do not reach it", [facts.ctx.region, facts.ctx.headquarters]),
	sprintf("部署于%s，采购方总部位于%s：不适用美国对华出口管制规则", [facts.region_zh(facts.ctx.region), facts.region_zh(facts.ctx.headquarters)]),
]

# METADATA
# description: Why an accelerator warning has nothing to look at, as [English, Chinese] (for `explain`).
no_subjects_reason := [
	"no accelerator to check: none requested and no candidate plan uses an allowed accelerator",
	"没有需检查的加速卡：未指定所申请的加速卡，且没有使用允许加速卡的候选方案",
]
