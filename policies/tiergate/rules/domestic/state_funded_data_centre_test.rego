package tiergate.rules.domestic.state_funded_data_centre_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.state_funded_data_centre

_funded := {"state_funded_data_centre": true, "procurement": "new", "requested_accelerator": "nvidia-h20"}

test_deny_new_foreign_part_in_a_state_funded_project if {
	state_funded_data_centre.deny == {{
		"rule_id": "domestic.state_funded_data_centre",
		"severity": "deny",
		"message": concat("", [
			"the data-centre project received state funds (guidance reported 2025-11-05, judgement), ",
			"so domestic accelerators are required; requested nvidia-h20 is not domestic",
		]),
		"message_zh": "该数据中心项目获得国家资金支持（据2025年11月报道的指引，判断性规则），须使用国产加速卡（信创）；所申请的英伟达HGX H20 96GB（中国特供版）不是国产加速卡",
	}} with input as fx.with_context(_funded)
	state_funded_data_centre.substitution.level == "required" with input as fx.with_context(_funded)
	count(state_funded_data_centre.exclude) > 0 with input as fx.with_context(_funded)
}

test_warn_installed_foreign_part if {
	installed := object.union(_funded, {"procurement": "existing"})
	some warning in state_funded_data_centre.warn with input as fx.with_context(installed)
	startswith(warning.message_zh, "该数据中心项目获得国家资金支持：据报道，完工进度不足30%的项目须拆除已安装的非国产加速卡")
	endswith(warning.message_zh, "所申请的非国产加速卡：英伟达HGX H20 96GB（中国特供版）")
	state_funded_data_centre.deny == set() with input as fx.with_context(installed)
	state_funded_data_centre.exclude == set() with input as fx.with_context(installed)
	state_funded_data_centre.substitution.level == "preferred" with input as fx.with_context(installed)
}

# Reported on 2025-11-05 (Beijing time): 2025-11-04T16:00:00Z.
test_allow_before_the_reported_guidance if {
	state_funded_data_centre.deny == set() with input as fx.with_context(object.union(_funded, {"evaluation_time": "2025-11-04T15:59:59Z"}))
	count(state_funded_data_centre.deny) == 1 with input as fx.with_context(object.union(_funded, {"evaluation_time": "2025-11-04T16:00:00Z"}))
}

test_allow_without_state_funds if {
	state_funded_data_centre.deny == set() with input as fx.with_context({"procurement": "new", "requested_accelerator": "nvidia-h20"})
	not state_funded_data_centre.substitution with input as fx.with_context({})
}

test_explain_not_state_funded if {
	state_funded_data_centre.explain == {
		"reason": "the data-centre project is not declared as state-funded (context.state_funded_data_centre)",
		"reason_zh": "未申报该数据中心项目获得国家资金支持",
		"rule_id": "domestic.state_funded_data_centre",
	} with input as fx.with_context({})
}

test_explain_not_yet_in_force if {
	state_funded_data_centre.explain == {
		"reason": "not yet in force on 2025-06-01 (in force from 2025-11-05)",
		"reason_zh": "评估日期2025年6月1日尚未施行（自2025年11月5日起施行）",
		"rule_id": "domestic.state_funded_data_centre",
	} with input as fx.with_context({"state_funded_data_centre": true, "evaluation_time": "2025-06-01T00:00:00+08:00"})
}

test_explain_when_fired if {
	state_funded_data_centre.explain == {
		"reason": "state-funded data-centre project",
		"reason_zh": "该数据中心项目获得国家资金支持",
		"rule_id": "domestic.state_funded_data_centre",
	} with input as fx.with_context({"state_funded_data_centre": true})
}
