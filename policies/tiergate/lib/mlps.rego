# METADATA
# title: MLPS level
# description: >-
#   The Multi-Level Protection Scheme (等保) level of a workload that holds no state secret: the
#   level its applied data class implies, raised where a sector's core business is graded higher
#   (data.tiergate.reference.obligations.mlps). Undefined for a state-secret workload, which is
#   graded under 分级保护 instead, and for an unknown data class.
package tiergate.lib.mlps

import data.tiergate.lib.facts

_mlps := data.tiergate.reference.obligations.mlps

default _core_business_level := 0

_core_business_level := level if {
	facts.ctx.core_business == true
	level := _mlps.levels_by_core_business[facts.ctx.sector].level
}

# METADATA
# description: True when the sector's core-business grading raises the level above the data class's.
# scope: document
default raised_by_core_business := false

raised_by_core_business if _core_business_level > _mlps.levels_by_data_class[facts.data_class]

# METADATA
# description: The MLPS level (1-5) of this workload.
level := max({_mlps.levels_by_data_class[facts.data_class], _core_business_level}) if {
	facts.ctx.state_secret == "none"
}

# METADATA
# description: Chinese name of the level, e.g. 第三级（监督保护级）.
level_zh := _mlps.level_names_zh[format_int(level, 10)]

# METADATA
# description: The Cybersecurity Law article that founds MLPS at the evaluation time (renumbered 2026-01-01).
law_article := facts.in_force_entries(_mlps.cybersecurity_law_article)[0]
