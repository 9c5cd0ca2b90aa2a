# METADATA
# title: Network Data Security Regulation duties for important data and large processors
# description: >-
#   From 2025-01-01, a processor of important data (data class important or core) names a data-security
#   officer and unit and assesses its risks every year, reporting to the authority; a processor of
#   the personal information of 10 million people or more (`context.personal_information_people`)
#   takes on the officer and unit duties of an important-data processor.
# related_resources:
#   - ref: https://www.gov.cn/zhengce/content/202409/content_6977766.htm
#     description: 网络数据安全管理条例 (in force 2025-01-01) Art. 28, 30, 33
# custom:
#   title_zh: 网络数据安全管理条例规定的重要数据和大型处理者义务
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.network_data_security

import data.tiergate.lib.facts
import data.tiergate.lib.result

_config := data.tiergate.reference.obligations.network_data_security

_in_force if facts.rule_in_force(result.rule_id(rego.metadata.chain()))

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	_in_force
	facts.data_class in _config.important_data_classes
	message := sprintf(
		"%s data: name a data-security officer and unit, assess the risks every year and report to the authority (Network Data Security Regulation Art. 30, 33)",
		[facts.data_class],
	)
	message_zh := sprintf(
		"处理%s：须明确网络数据安全负责人和网络数据安全管理机构，每年度开展风险评估并向有关主管部门报送风险评估报告（网络数据安全管理条例第三十条、第三十三条）",
		[facts.data_class_zh],
	)
}

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	_in_force
	people := facts.ctx.personal_information_people
	people >= _config.large_processor_people
	message := sprintf(
		"personal information of %d people (10 million or more): the duties of an important-data processor under Art. 30 and 32 apply (Network Data Security Regulation Art. 28)",
		[people],
	)
	message_zh := sprintf(
		"处理%s人的个人信息（1000万人以上）：须参照重要数据处理者履行网络数据安全管理条例第三十条、第三十二条规定的义务（第二十八条）",
		[facts.people_zh(people)],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

_why_not := facts.rule_not_in_force_reason(result.rule_id(rego.metadata.chain())) if {
	not _in_force
} else := [
	sprintf(
		"%s data is not %s data, and no personal information of %d people or more is processed",
		[facts.data_class, concat(" or ", _config.important_data_classes), _config.large_processor_people],
	),
	sprintf("处理%s（非重要数据、核心数据），且处理个人信息未达%s人", [facts.data_class_zh, facts.people_zh(_config.large_processor_people)]),
]
