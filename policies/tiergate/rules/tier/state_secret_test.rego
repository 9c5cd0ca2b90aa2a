package tiergate.rules.tier.state_secret_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.tier.state_secret

test_floor_secret if {
	state_secret.tier_floor == {{
		"rule_id": "tier.state_secret",
		"tier": "classified_facility",
		"message": "state secret grade secret requires a physically isolated classified_facility (Law on Guarding State Secrets Art. 30-31, BMB17/BMB20)",
		"message_zh": "涉及国家秘密（秘密），须部署于物理隔离的保密机房（保守国家秘密法第三十条、第三十一条，BMB17/BMB20）",
	}} with input as fx.with_context({"state_secret": "secret"})
}

test_allow_no_state_secret if {
	state_secret.tier_floor == set() with input as fx.with_context({"state_secret": "none"})
}

test_explain_no_state_secret if {
	state_secret.explain == {
		"reason": "the workload holds no state secrets",
		"reason_zh": "该工作负载不涉及国家秘密",
		"rule_id": "tier.state_secret",
	} with input as fx.with_context({})
}
