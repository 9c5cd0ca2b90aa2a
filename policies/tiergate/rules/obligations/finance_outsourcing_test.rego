package tiergate.rules.obligations.finance_outsourcing_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.finance_outsourcing

test_obligation_finance_on_vpc if {
	finance_outsourcing.obligation == {{
		"rule_id": "obligations.finance_outsourcing",
		"message": "finance workload on vpc is IT outsourcing: concentration-risk controls and exit plan (银保监办发〔2021〕141号)",
		"message_zh": "金融业务部署于专有网络VPC属于信息科技外包：须落实集中度风险管理和退出预案（银保监办发〔2021〕141号）",
	}} with input as fx.with_context({"sector": "finance"})
}

test_obligation_finance_on_shared_cloud if {
	some o in finance_outsourcing.obligation with input as fx.with_context({"sector": "finance", "data_class": "public"})
	startswith(o.message, "finance workload on shared_cloud ")
}

test_obligation_finance_on_rented_bare_metal if {
	finance_outsourcing.obligation == {{
		"rule_id": "obligations.finance_outsourcing",
		"message": "finance workload on rented bare_metal is IT outsourcing: concentration-risk controls and exit plan (银保监办发〔2021〕141号)",
		"message_zh": "金融业务租用专属裸金属服务器属于信息科技外包：须落实集中度风险管理和退出预案（银保监办发〔2021〕141号）",
	}} with input as fx.with_context({"sector": "finance", "requested_tier": "bare_metal", "procurement": "rental"})
}

test_allow_finance_on_own_bare_metal if {
	every procurement in ["new", "existing"] {
		finance_outsourcing.obligation == set() with input as fx.with_context({"sector": "finance", "requested_tier": "bare_metal", "procurement": procurement})
	}
}

test_allow_finance_on_rented_appliance if {
	finance_outsourcing.obligation == set() with input as fx.with_context({"sector": "finance", "requested_tier": "appliance", "procurement": "rental"})
}

test_allow_other_sector_on_vpc if {
	finance_outsourcing.obligation == set() with input as fx.with_context({})
}

test_explain_other_sector if {
	finance_outsourcing.explain == {
		"reason": "sector internet is outside finance",
		"reason_zh": "互联网行业不属于金融行业",
		"rule_id": "obligations.finance_outsourcing",
	} with input as fx.with_context({})
}

test_explain_owned_bare_metal if {
	finance_outsourcing.explain == {
		"reason": concat("", [
			"finance workload on bare_metal (procurement new) is not IT outsourcing, which is hosting on vpc or shared_cloud ",
			"or renting bare_metal",
		]),
		"reason_zh": "金融业务部署于专属裸金属服务器不属于信息科技外包（信息科技外包指部署于专有网络VPC、云服务器/容器，或租用专属裸金属服务器）",
		"rule_id": "obligations.finance_outsourcing",
	} with input as fx.with_context({"sector": "finance", "requested_tier": "bare_metal", "procurement": "new"})
}
