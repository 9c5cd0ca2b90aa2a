# METADATA
# title: Foreign accelerators whose purchase China's own regulators restrict
# description: >-
#   For hardware installed in mainland China or bought by a mainland-headquartered organisation,
#   new or rented, a foreign accelerator whose China-side import stance in force at the evaluation
#   time (accelerators/data.json import_stance_cn: customs or CAC guidance) is restrictive or
#   conditional is listed as a warning: the purchase may be refused at customs or discouraged by
#   the regulator, whatever the US licence says.
# related_resources:
#   - ref: https://m.china.com/news/13001813/20250731/48676419.html
#     description: 国家互联网信息办公室就H20算力芯片漏洞后门安全风险约谈英伟达公司（2025年7月31日，央视新闻转载网信中国）
#   - ref: https://www.business-standard.com/amp/world-news/china-tells-technology-companies-to-stop-buying-nvidia-s-ai-chips-125091701512_1.html
#     description: CAC told ByteDance and Alibaba to cancel RTX Pro 6000D orders (Reuters after FT, 2025-09-17; press report, no published notice)
#   - ref: https://news.az/news/china-blocks-nvidia-h200-ai-chips-amid-tech-tensions
#     description: Customs told agents the H200 is not permitted (Reuters, 2026-01-14; press report, no published notice)
#   - ref: https://www.businesstimes.com.sg/international/global/china-approves-first-batch-nvidia-h200-chip-imports-sources
#     description: First conditional H200 import approvals (Reuters, 2026-01-28; press report)
# custom:
#   title_zh: 我国监管部门限制采购的境外加速卡
#   kind: violation
#   severity: warn
package tiergate.rules.export.china_import_restriction

import data.tiergate.lib.export
import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

_reference := data.tiergate.reference.export

_scope := _reference.import_stance_scope

_applies if facts.ctx.region in _scope.regions

_applies if facts.ctx.headquarters in _scope.headquarters

warn contains violation if {
	_applies
	facts.ctx.procurement in _scope.procurements

	# Only the subjects with any `import_stance_cn` entry (the catalogue build's index, one
	# object.keys call): most parts have none, and each costs a history lookup otherwise.
	some id in (hardware.subjects & object.keys(data.tiergate.reference.accelerators.with_dated_facts.import_stance_cn))
	some stance in facts.accelerators[id].import_stance_cn
	facts.in_force(stance)
	text := _reference.import_stance_text[stance.stance]
	violation := result.warn(
		rego.metadata.chain(),
		sprintf(
			"%s accelerator %s: %s since %s (%s); procurement %s",
			[hardware.subject_kind, id, text.en, export.date_en(stance.effective_from), stance.summary_en, facts.ctx.procurement],
		),
		sprintf(
			"%s加速卡%s：自%s起%s（%s）；采购方式：%s",
			[hardware.subject_kind_zh, facts.accelerator_zh(id), export.date_zh(stance.effective_from), text.zh, stance.summary_zh, export.procurement_zh],
		),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("installed in region %s by a buyer headquartered in %s: Chinese import guidance does not reach it", [facts.ctx.region, facts.ctx.headquarters]),
	sprintf("部署于%s，采购方总部位于%s：不适用中国主管部门的进口指导", [facts.region_zh(facts.ctx.region), facts.region_zh(facts.ctx.headquarters)]),
] if {
	not _applies
} else := [
	sprintf("procurement %s: hardware already installed is not being imported", [facts.ctx.procurement]),
	sprintf("采购方式为%s：已安装的设备不涉及进口", [export.procurement_zh]),
] if {
	not facts.ctx.procurement in _scope.procurements
} else := export.no_subjects_reason if {
	count(hardware.subjects) == 0
} else := [
	sprintf("%s accelerator %s: no Chinese import guidance in force at the evaluation time", [hardware.subject_kind, concat(", ", sort(hardware.subjects))]),
	sprintf("%s加速卡%s：评估日期没有适用的中国进口指导", [hardware.subject_kind_zh, facts.accelerators_zh(hardware.subjects)]),
]
