# METADATA
# title: Domestic host CPU, operating system and database
# description: >-
#   In the sectors listed in data.tiergate.reference.domestic.host_stack (defense and government),
#   the host CPU, operating system and database must be domestic as well as the accelerator.
# related_resources:
#   - ref: https://www.itsec.gov.cn/
#     description: 中国信息安全测评中心 — 安全可靠测评 results (CPUs, operating systems, databases) used by government procurement standards
# custom:
#   title_zh: 主机CPU、操作系统和数据库国产化
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.domestic_host_stack

import data.tiergate.lib.facts
import data.tiergate.lib.result

_config := data.tiergate.reference.domestic.host_stack

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	facts.ctx.sector in _config.sectors
	message := sprintf("sector %s: %s must be domestic (信创)", [facts.ctx.sector, concat(", ", _config.components)])
	message_zh := sprintf("%s：%s须为国产（信创）", [facts.sector_zh, concat("、", _config.components_zh)])
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := [
	sprintf("sector %s is outside %s", [facts.ctx.sector, facts.sectors_en(_config.sectors)]),
	sprintf("%s不属于%s", [facts.sector_zh, facts.sectors_zh(_config.sectors)]),
]
