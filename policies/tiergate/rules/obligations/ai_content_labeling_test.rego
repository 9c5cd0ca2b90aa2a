package tiergate.rules.obligations.ai_content_labeling_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.ai_content_labeling

test_obligation_public_service if {
	ai_content_labeling.obligation == {{
		"rule_id": "obligations.ai_content_labeling",
		"message": "public service generating content: explicit and implicit labels on AI-generated content and the labelling rules in the user agreement (标识办法, GB 45438-2025)",
		"message_zh": "面向公众提供生成合成内容服务：须对生成合成内容添加显式标识和隐式标识，并在用户服务协议中说明标识方法（《人工智能生成合成内容标识办法》、GB 45438-2025）",
	}} with input as fx.with_context({"public_service": true})
}

# In force from 2025-09-01T00:00:00+08:00 (2025-08-31T16:00:00Z).
test_allow_before_2025_09_01 if {
	ai_content_labeling.obligation == set() with input as fx.with_context({"public_service": true, "evaluation_time": "2025-08-31T15:59:59Z"})
	count(ai_content_labeling.obligation) == 1 with input as fx.with_context({"public_service": true, "evaluation_time": "2025-08-31T16:00:00Z"})
}

test_allow_internal_use if {
	ai_content_labeling.obligation == set() with input as fx.with_context({})
}

test_explain_not_public if {
	ai_content_labeling.explain == {
		"reason": "not a public service (context.public_service)",
		"reason_zh": "不面向公众提供服务",
		"rule_id": "obligations.ai_content_labeling",
	} with input as fx.with_context({})
}

test_explain_not_yet_in_force if {
	ai_content_labeling.explain == {
		"reason": "not yet in force on 2025-08-31 (in force from 2025-09-01)",
		"reason_zh": "评估日期2025年8月31日尚未施行（自2025年9月1日起施行）",
		"rule_id": "obligations.ai_content_labeling",
	} with input as fx.with_context({"public_service": true, "evaluation_time": "2025-08-31T15:59:59Z"})
}

test_explain_when_fired if {
	ai_content_labeling.explain == {
		"reason": "public service",
		"reason_zh": "面向公众提供服务",
		"rule_id": "obligations.ai_content_labeling",
	} with input as fx.with_context({"public_service": true})
}
