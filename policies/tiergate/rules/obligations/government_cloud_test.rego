package tiergate.rules.obligations.government_cloud_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.government_cloud

test_obligation_government_on_vpc if {
	government_cloud.obligation == {{
		"rule_id": "obligations.government_cloud",
		"message": "government workload on vpc: use only a cloud that passed the cloud-service security assessment (政务云)",
		"message_zh": "政务工作负载部署于专有网络VPC（vpc）：须使用通过云计算服务安全评估的政务云",
	}} with input as fx.with_context({"sector": "government"})
}

test_allow_government_on_appliance if {
	government_cloud.obligation == set() with input as fx.with_context({"sector": "government", "data_class": "important"})
}
