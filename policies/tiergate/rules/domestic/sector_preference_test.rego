package tiergate.rules.domestic.sector_preference_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.domestic.sector_preference

test_warn_energy_requests_nvidia if {
	sector_preference.warn == {{
		"rule_id": "domestic.sector_preference",
		"severity": "warn",
		"message": "sector energy is in the 信创 key industries (judgement), so domestic accelerators are preferred; requested non-domestic: nvidia-a100-80gb-sxm",
		"message_zh": "能源行业属于信创重点行业（判断性规则），宜优先使用国产加速卡（信创）；所申请的非国产加速卡：英伟达A100 80GB SXM4",
	}} with input as fx.with_context({"sector": "energy", "requested_accelerator": "nvidia-a100-80gb-sxm"})
	sector_preference.substitution == {"rule_id": "domestic.sector_preference", "level": "preferred"} with input as fx.with_context({"sector": "energy"})
}

test_allow_energy_domestic_candidates if {
	sector_preference.warn == set() with input as fx.with_context({"sector": "energy"})
}

test_allow_internet if {
	sector_preference.warn == set() with input as fx.with_context({"requested_accelerator": "nvidia-a100-80gb-sxm"})
	not sector_preference.substitution with input as fx.with_context({})
}

test_warn_joins_candidates_with_the_chinese_enumeration_comma if {
	some warning in sector_preference.warn with input as fx.with_candidates({"sector": "telecom"}, ["nvidia-l20", "nvidia-h20"])
	endswith(warning.message, "candidate non-domestic: nvidia-h20, nvidia-l20")
	endswith(warning.message_zh, "候选方案中的非国产加速卡：英伟达HGX H20 96GB（中国特供版）、英伟达L20 48GB（中国特供版）")
}

test_explain_other_sector if {
	sector_preference.explain == {
		"reason": "sector internet is not a 信创 key industry (energy, telecom, transport, education, healthcare)",
		"reason_zh": "互联网行业不属于信创重点行业（能源行业、电信行业、交通运输行业、教育行业、医疗卫生行业）",
		"rule_id": "domestic.sector_preference",
	} with input as fx.with_context({})
}
