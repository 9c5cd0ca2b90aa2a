# METADATA
# title: Important data and personal information stay in mainland China
# description: >-
#   A workload in a region outside data.tiergate.reference.residency.home_regions that processes
#   important or core data, or personal information, is a data export needing a CAC security
#   assessment; tiergate denies it.
# related_resources:
#   - ref: https://epaper.bbtnews.com.cn/site1/bjsb/html/2022-07/08/content_477083.htm?div=-1
#     description: 数据出境安全评估办法 (CAC, 2022-09-01) — when a security assessment is required
#   - ref: https://www.cnpre.com/special/gzwpagepi.php?id=4019
#     description: 数据出境安全评估办法 full text
#   - ref: http://m.handmsg.com/page/2024/0615/25744912.shtml
#     description: 促进和规范数据跨境流动规定 (2024-03-22)
# custom:
#   kind: violation
#   severity: deny
package tiergate.rules.residency.data_export

import data.tiergate.lib.facts
import data.tiergate.lib.result

_residency := data.tiergate.reference.residency

_offshore if not facts.ctx.region in _residency.home_regions

deny contains violation if {
	_offshore
	facts.ctx.data_class in _residency.data_classes
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			"%s data in region %s is a data export that needs a CAC security assessment",
			[facts.ctx.data_class, facts.ctx.region],
		),
		sprintf("在地区 %s 处理%s属于数据出境，须通过网信部门安全评估", [facts.ctx.region, facts.data_class_zh]),
	)
}

deny contains violation if {
	_offshore
	_residency.personal_information == true
	facts.processes_personal_information
	violation := result.deny(
		rego.metadata.chain(),
		sprintf(
			"personal information processed in region %s is a data export that needs a CAC security assessment",
			[facts.ctx.region],
		),
		sprintf("在地区 %s 处理个人信息属于数据出境，须通过网信部门安全评估", [facts.ctx.region]),
	)
}

catalogue_entry := result.describe(rego.metadata.chain())
