package tiergate.rules.obligations.government_cloud_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.government_cloud

test_obligation_government_on_vpc if {
	government_cloud.obligation == {{
		"rule_id": "obligations.government_cloud",
		"message": "government workload on vpc: use only a cloud that passed the cloud-service security assessment (政务云)",
		"message_zh": "政务工作负载部署于专有网络VPC：须使用通过云计算服务安全评估的政务云",
	}} with input as fx.with_context({"sector": "government"})
}

test_allow_government_on_appliance if {
	government_cloud.obligation == set() with input as fx.with_context({"sector": "government", "data_class": "important"})
}

test_explain_other_sector if {
	government_cloud.explain == {
		"reason": "sector internet is outside government",
		"reason_zh": "互联网行业不属于党政机关",
		"rule_id": "obligations.government_cloud",
	} with input as fx.with_context({})
}

test_explain_on_bare_metal if {
	government_cloud.explain == {
		"reason": "government workload on bare_metal: the 政务云 assessment applies only on vpc",
		"reason_zh": "政务工作负载部署于专属裸金属服务器：政务云安全评估要求仅适用于专有网络VPC",
		"rule_id": "obligations.government_cloud",
	} with input as fx.with_context({"sector": "government", "requested_tier": "bare_metal"})
}
