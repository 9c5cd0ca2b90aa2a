package tiergate.rules.obligations.genai_filing_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.genai_filing

test_obligation_public_service if {
	genai_filing.obligation == {{
		"rule_id": "obligations.genai_filing",
		"message": "workload legal-qa is a public service: CAC generative-AI filing and security assessment before launch",
		"message_zh": "工作负载 legal-qa 面向公众提供服务：上线前须完成生成式人工智能服务备案和安全评估",
	}} with input as fx.with_context({"public_service": true})
}

test_allow_internal_use if {
	genai_filing.obligation == set() with input as fx.with_context({"public_service": false})
}
