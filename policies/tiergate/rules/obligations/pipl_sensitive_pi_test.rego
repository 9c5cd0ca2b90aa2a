package tiergate.rules.obligations.pipl_sensitive_pi_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.pipl_sensitive_pi

test_obligation_sensitive_personal_information if {
	pipl_sensitive_pi.obligation == {{
		"rule_id": "obligations.pipl_sensitive_pi",
		"message": "sensitive personal information is processed: separate consent and a PI protection impact assessment (PIPL Art. 29, 55)",
		"message_zh": "处理敏感个人信息：须取得个人单独同意并事前开展个人信息保护影响评估（个人信息保护法第二十九条、第五十五条）",
	}} with input as fx.with_context({"sensitive_personal_information": true})
}

test_allow_ordinary_personal_information if {
	pipl_sensitive_pi.obligation == set() with input as fx.with_context({"personal_information": true})
}

test_explain_no_sensitive_pi if {
	pipl_sensitive_pi.explain == {
		"reason": "no sensitive personal information is processed",
		"reason_zh": "不处理敏感个人信息",
		"rule_id": "obligations.pipl_sensitive_pi",
	} with input as fx.with_context({})
}
