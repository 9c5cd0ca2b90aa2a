# METADATA
# title: Data export paths
# description: >-
#   Which data-export (数据出境) path this input is on under the regime in force at the evaluation
#   time (data.tiergate.reference.residency.regimes): security assessment, standard contract or
#   certification, or exempt; and whether the number of people is missing to tell them apart.
package tiergate.lib.residency

import data.tiergate.lib.facts

_residency := data.tiergate.reference.residency

# METADATA
# description: >-
#   The regime in force; the earlier one (no effective_from) also covers any earlier date, and an
#   unparsable evaluation time gets the strictest thresholds (the earlier regime's).
regime := entry if {
	some entry in facts.in_force_entries(_residency.regimes)
} else := _residency.regimes[0]

# METADATA
# description: True when the workload runs outside mainland China (every piece of its data is exported).
offshore if not facts.ctx.region in _residency.home_regions

_cross_border := object.get(facts.ctx, "cross_border", null)

_declared if _cross_border != null

# METADATA
# description: People whose (non-sensitive) personal information is exported this year, as declared; 0 if undeclared.
# scope: document
default people := 0

people := object.get(_cross_border, "people_per_year", 0) if _declared

# METADATA
# description: People whose sensitive personal information is exported this year, as declared; 0 if undeclared.
# scope: document
default sensitive_people := 0

sensitive_people := object.get(_cross_border, "sensitive_people_per_year", 0) if _declared

# METADATA
# description: True when important or core data is exported (processed outside mainland China).
exports_important_data if {
	offshore
	facts.data_class in _residency.important_data_classes
}

# METADATA
# description: True when personal information is exported (processed offshore, or declared as sent abroad).
# scope: document
exports_personal_information if {
	offshore
	facts.processes_personal_information
}

exports_personal_information if people + sensitive_people > 0

# METADATA
# description: >-
#   True when personal information is processed offshore and the yearly number of people is not
#   declared, so the path cannot be determined.
undeclared if {
	offshore
	facts.processes_personal_information
	not _declared
}

# METADATA
# description: >-
#   What makes the export need a security assessment, as [English, Chinese] phrases (none: no
#   assessment).
# scope: document
assessment_reasons contains reason if {
	exports_important_data
	reason := [
		sprintf("%s data processed in region %s", [facts.data_class, facts.ctx.region]),
		sprintf("在%s处理%s", [facts.region_zh(facts.ctx.region), facts.data_class_zh]),
	]
}

assessment_reasons contains reason if {
	exports_personal_information
	facts.ctx.cii_operator == true
	reason := ["personal information exported by a CII operator", "关键信息基础设施运营者向境外提供个人信息"]
}

# `people > 0` before the regime: most inputs export nobody, and the regime is a dated lookup.
assessment_reasons contains reason if {
	people > 0
	people >= regime.assessment_people_from
	reason := [
		sprintf("personal information of %d people a year", [people]),
		sprintf("每年向境外提供%s人的个人信息", [facts.people_zh(people)]),
	]
}

assessment_reasons contains reason if {
	sensitive_people > 0
	sensitive_people >= regime.assessment_sensitive_people_from
	reason := [
		sprintf("sensitive personal information of %d people a year", [sensitive_people]),
		sprintf("每年向境外提供%s人的敏感个人信息", [facts.people_zh(sensitive_people)]),
	]
}

# METADATA
# description: >-
#   True when the export needs a standard contract or certification: personal information above
#   the exemption (or any sensitive personal information) and no security assessment.
contract if {
	count(assessment_reasons) == 0
	not undeclared
	_contract_volume
}

_contract_volume if {
	people > 0
	people >= regime.exempt_people_below
}

_contract_volume if sensitive_people > 0
