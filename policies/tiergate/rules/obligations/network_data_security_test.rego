package tiergate.rules.obligations.network_data_security_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.network_data_security

test_obligation_important_data if {
	network_data_security.obligation == {{
		"rule_id": "obligations.network_data_security",
		"message": "important data: name a data-security officer and unit, assess the risks every year and report to the authority (Network Data Security Regulation Art. 30, 33)",
		"message_zh": "处理重要数据：须明确网络数据安全负责人和网络数据安全管理机构，每年度开展风险评估并向有关主管部门报送风险评估报告（网络数据安全管理条例第三十条、第三十三条）",
	}} with input as fx.with_context({"data_class": "important"})
}

test_obligation_ten_million_people if {
	network_data_security.obligation == {{
		"rule_id": "obligations.network_data_security",
		"message": concat("", [
			"personal information of 10000000 people (10 million or more):",
			" the duties of an important-data processor under Art. 30 and 32 apply (Network Data Security Regulation Art. 28)",
		]),
		"message_zh": "处理1000万人的个人信息（1000万人以上）：须参照重要数据处理者履行网络数据安全管理条例第三十条、第三十二条规定的义务（第二十八条）",
	}} with input as fx.with_context({"personal_information": true, "personal_information_people": 10000000})
	network_data_security.obligation == set() with input as fx.with_context({"personal_information": true, "personal_information_people": 9999999})
}

# In force from 2025-01-01T00:00:00+08:00 (2024-12-31T16:00:00Z).
test_allow_before_2025 if {
	network_data_security.obligation == set() with input as fx.with_context({"data_class": "core", "evaluation_time": "2024-12-31T15:59:59Z"})
	count(network_data_security.obligation) == 1 with input as fx.with_context({"data_class": "core", "evaluation_time": "2024-12-31T16:00:00Z"})
}

test_allow_general_data if {
	network_data_security.obligation == set() with input as fx.with_context({})
}

test_explain_not_yet_in_force if {
	network_data_security.explain == {
		"reason": "not yet in force on 2024-12-31 (in force from 2025-01-01)",
		"reason_zh": "评估日期2024年12月31日尚未施行（自2025年1月1日起施行）",
		"rule_id": "obligations.network_data_security",
	} with input as fx.with_context({"evaluation_time": "2024-12-31T00:00:00+08:00"})
}

test_explain_general_data if {
	network_data_security.explain == {
		"reason": "general data is not important or core data, and no personal information of 10000000 people or more is processed",
		"reason_zh": "处理一般数据（非重要数据、核心数据），且处理个人信息未达1000万人",
		"rule_id": "obligations.network_data_security",
	} with input as fx.with_context({})
}
