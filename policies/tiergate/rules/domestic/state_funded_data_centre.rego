# METADATA
# title: Domestic accelerators for state-funded data-centre projects (reported guidance)
# description: >-
#   Hardware in a data-centre project that received state funds (`context.state_funded_data_centre`)
#   uses domestic AI accelerators only from the guidance reported on 2025-11-05: a new purchase or
#   rental of a non-domestic part is denied and non-domestic parts are excluded; hardware already
#   installed is a warning (reported: removed in projects under 30 % complete, case by case
#   otherwise). A judgement: the guidance is reported, its text is not published.
# related_resources:
#   - ref: https://www.reuters.com/world/china/china-bans-foreign-ai-chips-state-funded-data-centres-sources-say-2025-11-05/
#     description: Reuters, 2025-11-05 — state-funded data centres to use domestic AI chips only (no published text)
# custom:
#   title_zh: 国有资金数据中心项目使用国产加速卡（据报道的指导意见）
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.state_funded_data_centre

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_rule_id := result.rule_id(rego.metadata.chain())

_applies if {
	facts.ctx.state_funded_data_centre == true
	facts.rule_in_force(_rule_id)
}

_installed if facts.ctx.procurement == "existing"

substitution := result.substitution(rego.metadata.chain(), "required") if {
	_applies
	not _installed
} else := result.substitution(rego.metadata.chain(), "preferred") if {
	_applies
}

# The IDs this rule excludes, a set: what the decision reads (lib/hardware, through the generated
# lib/registry.rego), with no object built per accelerator; `exclude` spells them out for the
# explanations.
default excluded_ids := set()

excluded_ids := hardware.non_domestic if {
	_applies
	not _installed
}

exclude contains exclusion if {
	some exclusion in result.exclusions_of(result.rule_id(rego.metadata.chain()), excluded_ids)
}

deny contains violation if {
	_applies
	not _installed
	violation := domestic.requested_violation(
		rego.metadata.chain(),
		"the data-centre project received state funds (guidance reported 2025-11-05, judgement)",
		"该数据中心项目获得国家资金支持（据2025年11月报道的指引，判断性规则）",
	)
}

warn contains violation if {
	_applies
	_installed
	violation := domestic.preference_warning(
		rego.metadata.chain(),
		"the data-centre project received state funds: installed foreign accelerators are reported to be removed in projects under 30 % complete, case by case otherwise (judgement)",
		"该数据中心项目获得国家资金支持：据报道，完工进度不足30%的项目须拆除已安装的非国产加速卡，其余项目个案处理（判断性规则）",
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["state-funded data-centre project", "该数据中心项目获得国家资金支持"]

_why_not := [
	"the data-centre project is not declared as state-funded (context.state_funded_data_centre)",
	"未申报该数据中心项目获得国家资金支持",
] if {
	facts.ctx.state_funded_data_centre != true
} else := facts.rule_not_in_force_reason(_rule_id) if {
	not facts.rule_in_force(_rule_id)
}
