package tiergate.rules.domestic.finance_critical_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.finance_critical

test_deny_finance_core_business_requests_nvidia if {
	finance_critical.deny == {{
		"rule_id": "domestic.finance_critical",
		"severity": "deny",
		"message": "finance workload with core business, so domestic accelerators are required; requested nvidia-h20 is not domestic",
		"message_zh": "金融行业核心业务，须使用国产加速卡（信创）；所申请的英伟达HGX H20 96GB（中国特供版）不是国产加速卡",
	}} with input as fx.with_context({"sector": "finance", "core_business": true, "requested_accelerator": "nvidia-h20"})
}

test_deny_finance_important_data_requests_nvidia if {
	finance_critical.deny == {{
		"rule_id": "domestic.finance_critical",
		"severity": "deny",
		"message": "finance workload with important data, so domestic accelerators are required; requested nvidia-h20 is not domestic",
		"message_zh": "金融行业重要数据，须使用国产加速卡（信创）；所申请的英伟达HGX H20 96GB（中国特供版）不是国产加速卡",
	}} with input as fx.with_context({"sector": "finance", "data_class": "important", "requested_accelerator": "nvidia-h20"})
	count(finance_critical.exclude) > 0 with input as fx.with_context({"sector": "finance", "data_class": "core"})
	finance_critical.substitution.level == "required" with input as fx.with_context({"sector": "finance", "data_class": "core"})
}

test_allow_finance_general_data if {
	finance_critical.deny == set() with input as fx.with_context({"sector": "finance", "requested_accelerator": "nvidia-h20"})
	finance_critical.exclude == set() with input as fx.with_context({"sector": "finance"})
	not finance_critical.reason with input as fx.with_context({"sector": "finance"})
}

test_allow_healthcare_core_business if {
	not finance_critical.reason with input as fx.with_context({"sector": "healthcare", "core_business": true, "data_class": "core"})
}

test_explain_other_sector if {
	finance_critical.explain == {
		"reason": "sector internet is outside finance",
		"reason_zh": "互联网行业不属于金融行业",
		"rule_id": "domestic.finance_critical",
	} with input as fx.with_context({})
}

test_explain_finance_not_critical if {
	finance_critical.explain == {
		"reason": "finance workload that is not core business, with general data (critical means core business, or important or core data)",
		"reason_zh": "金融业务非核心业务系统，处理一般数据（核心业务系统或处理重要数据、核心数据才属于关键金融业务）",
		"rule_id": "domestic.finance_critical",
	} with input as fx.with_context({"sector": "finance"})
}
