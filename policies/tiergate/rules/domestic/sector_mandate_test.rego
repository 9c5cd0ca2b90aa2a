package tiergate.rules.domestic.sector_mandate_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.sector_mandate

test_deny_government_requests_nvidia if {
	sector_mandate.deny == {{
		"rule_id": "domestic.sector_mandate",
		"severity": "deny",
		"message": "sector government is under the 信创 mandate (judgement), so domestic accelerators are required; requested nvidia-h100-sxm is not domestic",
		"message_zh": "党政机关属于信创强制范围（判断性规则），须使用国产加速卡（信创）；所申请的英伟达H100 80GB SXM5不是国产加速卡",
	}} with input as fx.with_context({"sector": "government", "requested_accelerator": "nvidia-h100-sxm"})
}

test_required_and_excludes_every_non_domestic_part if {
	sector_mandate.substitution == {"rule_id": "domestic.sector_mandate", "level": "required"} with input as fx.with_context({"sector": "defense"})
	excluded := {e.accelerator | some e in sector_mandate.exclude} with input as fx.with_context({"sector": "defense"})
	"nvidia-h20" in excluded
	not "huawei-ascend-910b3" in excluded
	count(excluded) == count({id | some id, acc in data.tiergate.reference.accelerators.by_id; not acc.domestic})
}

test_allow_government_requests_domestic if {
	sector_mandate.deny == set() with input as fx.with_context({"sector": "government", "requested_accelerator": "huawei-ascend-910b3"})
}

test_allow_other_sector if {
	sector_mandate.deny == set() with input as fx.with_context({"requested_accelerator": "nvidia-h100-sxm"})
	not sector_mandate.substitution with input as fx.with_context({"requested_accelerator": "nvidia-h100-sxm"})
	sector_mandate.exclude == set() with input as fx.with_context({})
}

test_explain_other_sector if {
	sector_mandate.explain == {
		"reason": "sector finance is not under the 信创 mandate (defense, government)",
		"reason_zh": "金融行业不属于信创强制范围（军工国防单位、党政机关）",
		"rule_id": "domestic.sector_mandate",
	} with input as fx.with_context({"sector": "finance"})
}
