# METADATA
# title: PBOC data-security duties for finance
# description: >-
#   From 2025-06-30, a financial institution's data in the People's Bank of China's business areas
#   is classified and graded, its data-security risks assessed every year and its compliance audited.
# related_resources:
#   - ref: http://www.pbc.gov.cn/tiaofasi/144941/144957/index.html
#     description: 中国人民银行 部门规章 — 中国人民银行业务领域数据安全管理办法 (中国人民银行令〔2025〕第3号, in force 2025-06-30)
# custom:
#   title_zh: 中国人民银行业务领域数据安全义务
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.pboc_data_security

import data.tiergate.lib.facts
import data.tiergate.lib.result

obligation contains result.obligation(
	rego.metadata.chain(),
	"finance: data in PBOC business areas classified and graded, a data-security risk assessment every year and a compliance audit (PBOC data-security measures, 2025)",
	"金融行业：中国人民银行业务领域数据须分类分级管理，每年开展数据安全风险评估，并开展数据安全合规审计（《中国人民银行业务领域数据安全管理办法》）",
) if {
	facts.ctx.sector in data.tiergate.reference.obligations.pboc_data_security.sectors
	facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_sectors := data.tiergate.reference.obligations.pboc_data_security.sectors

default _why_not := ["finance", "金融行业"]

_why_not := [
	sprintf("sector %s is outside %s", [facts.ctx.sector, facts.sectors_en(_sectors)]),
	sprintf("%s不属于%s", [facts.sector_zh, facts.sectors_zh(_sectors)]),
] if {
	not facts.ctx.sector in _sectors
} else := facts.rule_not_in_force_reason(result.rule_id(rego.metadata.chain())) if {
	not facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}
