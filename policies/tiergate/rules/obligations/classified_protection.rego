# METADATA
# title: Classified protection (分级保护) for state secrets
# description: >-
#   A workload with a state-secret grade runs on a classified information system under 分级保护
#   (BMB17/BMB20), not under MLPS filing: built by a qualified classified-systems integrator, and
#   put into use only after testing by a secrecy evaluation body and approval by the secrecy
#   administration.
# related_resources:
#   - ref: https://www.npc.gov.cn/npc/c2/c30834/202402/t20240227_434859.html
#     description: 保守国家秘密法 (revised 2024-02-27, in force 2024-05-01) Art. 30 — 分级保护; use only after inspection
# custom:
#   title_zh: 涉及国家秘密的分级保护
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.classified_protection

import data.tiergate.lib.facts
import data.tiergate.lib.result

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	grade_zh := data.tiergate.reference.obligations.classified_protection.levels_zh[facts.ctx.state_secret]
	message := sprintf(
		concat("", [
			"state secret grade %s: classified protection (BMB17/BMB20) instead of MLPS filing; built by a qualified ",
			"classified-systems integrator, in use only after testing by a secrecy evaluation body and approval by the ",
			"secrecy administration (Law on Guarding State Secrets Art. 30)",
		]),
		[facts.ctx.state_secret],
	)
	message_zh := sprintf(
		concat("", [
			"涉及国家秘密（%s）：涉密信息系统按分级保护要求（BMB17/BMB20）规划建设，不适用等级保护备案；",
			"须由具有涉密信息系统集成资质的单位承建，经保密测评机构检测评估并经保密行政管理部门审查合格后方可投入使用",
			"（保守国家秘密法第三十条）",
		]),
		[grade_zh],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := ["the workload holds no state secrets", "该工作负载不涉及国家秘密"]
