package tiergate.rules.obligations.mlps_cloud_extension_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.mlps_cloud_extension

test_obligation_vpc_at_the_system_level if {
	mlps_cloud_extension.obligation == {{
		"rule_id": "obligations.mlps_cloud_extension",
		"message": concat("", [
			"on vpc: the cloud platform must be protected at MLPS level 2 or above, its infrastructure and the ",
			"customer's data and personal information located in China (GB/T 22239-2019 cloud extension)",
		]),
		"message_zh": "部署于专有网络VPC：云计算平台的安全保护等级不得低于第二级（指导保护级），云计算基础设施和云服务客户数据、个人信息须位于中国境内（GB/T 22239-2019云计算安全扩展要求）",
	}} with input as fx.with_context({})
}

test_obligation_shared_cloud_at_the_system_level if {
	some o in mlps_cloud_extension.obligation with input as fx.with_context({"sector": "research", "data_class": "public"})
	o.message_zh == "部署于云服务器/容器：云计算平台的安全保护等级不得低于第二级（指导保护级），云计算基础设施和云服务客户数据、个人信息须位于中国境内（GB/T 22239-2019云计算安全扩展要求）"
	some p in mlps_cloud_extension.obligation with input as fx.with_context({"sector": "research", "data_class": "sensitive"})
	contains(p.message_zh, "不得低于第三级（监督保护级）")
}

test_allow_not_before_the_standard if {
	mlps_cloud_extension.obligation == set() with input as fx.with_context({"evaluation_time": "2019-11-30T15:59:59Z"})
	count(mlps_cloud_extension.obligation) == 1 with input as fx.with_context({"evaluation_time": "2019-11-30T16:00:00Z"})
}

test_allow_off_cloud if {
	mlps_cloud_extension.obligation == set() with input as fx.with_context({"requested_tier": "appliance"})
	mlps_cloud_extension.obligation == set() with input as fx.with_context({"state_secret": "secret"})
}

test_explain_off_cloud if {
	mlps_cloud_extension.explain == {
		"reason": "on appliance: the cloud extension applies only on vpc or shared_cloud",
		"reason_zh": "部署于本地GPU一体机：云计算安全扩展要求仅适用于专有网络VPC、云服务器/容器",
		"rule_id": "obligations.mlps_cloud_extension",
	} with input as fx.with_context({"requested_tier": "appliance"})
}

test_explain_not_yet_in_force if {
	mlps_cloud_extension.explain == {
		"reason": "not yet in force on 2019-06-01 (in force from 2019-12-01)",
		"reason_zh": "评估日期2019年6月1日尚未施行（自2019年12月1日起施行）",
		"rule_id": "obligations.mlps_cloud_extension",
	} with input as fx.with_context({"evaluation_time": "2019-06-01T00:00:00+08:00"})
}

test_explain_when_fired if {
	mlps_cloud_extension.explain == {
		"reason": "cloud platform",
		"reason_zh": "云计算平台",
		"rule_id": "obligations.mlps_cloud_extension",
	} with input as fx.with_context({})
}
