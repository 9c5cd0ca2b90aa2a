# METADATA
# title: Domestic accelerators required for defense and government
# description: >-
#   In the sectors listed in data.tiergate.reference.domestic.sector_mandate (defense and party &
#   government, the "2" of 信创 2+8+N), only domestic accelerators are offered and a requested
#   non-domestic accelerator is denied.
# related_resources:
#   - ref: https://www.tonguebusy.com/a/tuiguang/kuaishoutuiguang/30-6924-01.html
#     description: 信创体系 “2+8+N” — party and government first
#   - ref: https://chinapp.net.cn/pinpaidongtai/2025/0102/11753.html
#     description: 信创产业五年 — 2+8+N established; party/government 2027 targets
#   - ref: https://nanjing.11467.com/info/38958393.htm
#     description: 保密室设备配置标准 — classified equipment procured domestic
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.domestic.sector_mandate

import data.tiergate.lib.domestic
import data.tiergate.lib.facts
import data.tiergate.lib.result

_applies if facts.ctx.sector in data.tiergate.reference.domestic.sector_mandate.sectors

substitution := result.substitution(rego.metadata.chain(), "required") if _applies

exclude contains exclusion if {
	_applies
	some exclusion in domestic.exclusions(rego.metadata.chain())
}

deny contains violation if {
	_applies
	violation := domestic.requested_violation(
		rego.metadata.chain(),
		sprintf("sector %s is under the 信创 mandate", [facts.ctx.sector]),
		sprintf("行业 %s（%s）属于信创强制范围", [facts.ctx.sector, facts.group_zh]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
