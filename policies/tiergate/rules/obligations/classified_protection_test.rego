package tiergate.rules.obligations.classified_protection_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.classified_protection

test_obligation_top_secret if {
	classified_protection.obligation == {{
		"rule_id": "obligations.classified_protection",
		"message": "state secret grade top_secret: BMB17/BMB20 classified protection, tested by the national secrecy evaluation centre",
		"message_zh": "涉及国家秘密（绝密）：须按BMB17/BMB20分级保护建设，并由国家保密科技测评机构测评",
	}} with input as fx.with_context({"state_secret": "top_secret"})
}

test_allow_no_state_secret if {
	classified_protection.obligation == set() with input as fx.with_context({})
}
