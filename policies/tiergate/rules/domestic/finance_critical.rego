# METADATA
# title: Domestic accelerators required for critical finance workloads
# description: >-
#   A finance workload that is core business, or that processes important or core data, uses
#   domestic accelerators only (关键技术自主可控). Conditions in
#   data.tiergate.reference.domestic.finance_critical.
# related_resources:
#   - ref: https://shui5.cn/article/17/150712.html
#     description: >-
#       关于银行业保险业数字化转型的指导意见 (银保监办发〔2022〕2号), copy (no primary copy found) — 关键技术自主可控,
#       核心能力不外包; the accelerator requirement is a judgement
# custom:
#   title_zh: 关键金融业务须使用国产加速卡
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.finance_critical

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_config := data.tiergate.reference.domestic.finance_critical

# METADATA
# description: Why this finance workload is critical (English and Chinese), when it is.
reason := ["core business", "核心业务"] if {
	facts.ctx.sector in _config.sectors
	_config.core_business == facts.ctx.core_business
} else := [sprintf("%s data", [facts.data_class]), facts.data_class_zh] if {
	facts.ctx.sector in _config.sectors
	facts.data_class in _config.data_classes
}

substitution := result.substitution(rego.metadata.chain(), "required") if reason

# The IDs this rule excludes, a set: what the decision reads (lib/hardware, through the generated
# lib/registry.rego), with no object built per accelerator; `exclude` spells them out for the
# explanations.
default excluded_ids := set()

excluded_ids := hardware.non_domestic if reason

exclude contains exclusion if {
	some exclusion in result.exclusions_of(result.rule_id(rego.metadata.chain()), excluded_ids)
}

deny contains domestic.requested_violation(
	rego.metadata.chain(),
	sprintf("finance workload with %s", [reason[0]]),
	sprintf("金融行业%s", [reason[1]]),
)

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("sector %s is outside %s", [facts.ctx.sector, facts.sectors_en(_config.sectors)]),
	sprintf("%s不属于%s", [facts.sector_zh, facts.sectors_zh(_config.sectors)]),
] if {
	not facts.ctx.sector in _config.sectors
} else := [
	sprintf("finance workload that is not core business, with %s data (critical means core business, or %s data)", [facts.data_class, concat(" or ", _config.data_classes)]),
	sprintf("金融业务非核心业务系统，处理%s（核心业务系统或处理重要数据、核心数据才属于关键金融业务）", [facts.data_class_zh]),
]
