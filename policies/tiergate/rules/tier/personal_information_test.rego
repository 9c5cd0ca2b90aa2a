package tiergate.rules.tier.personal_information_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.personal_information

_expected := {{
	"rule_id": "tier.personal_information",
	"tier": "vpc",
	"message": "personal information is processed, so at least vpc: as a rule not on shared cloud (judgement)",
	"message_zh": "处理个人信息，最低部署层级为专有网络VPC，原则上不使用云服务器/容器（判断性规则）",
}}

test_floor_personal_information if {
	personal_information.tier_floor == _expected with input as fx.with_context({"personal_information": true})
}

test_floor_sensitive_personal_information_alone if {
	personal_information.tier_floor == _expected with input as fx.with_context({"sensitive_personal_information": true})
}

test_allow_no_personal_information if {
	personal_information.tier_floor == set() with input as fx.with_context({})
}

test_explain_no_pi if {
	personal_information.explain == {
		"reason": "no personal information is processed",
		"reason_zh": "不处理个人信息",
		"rule_id": "tier.personal_information",
	} with input as fx.with_context({})
}
