package tiergate.rules.obligations.genai_filing_test

import data.tiergate.fixtures_test as fx
import data.tiergate.rules.obligations.genai_filing

_inference(context) := object.union(fx.with_context(context), {"workload": {"name": "legal-qa", "task": "inference"}})

test_obligation_own_model_is_filed if {
	genai_filing.obligation == {{
		"rule_id": "obligations.genai_filing",
		"message": concat("", [
			"workload legal-qa is a public generative-AI service with its own or a fine-tuned model:",
			" CAC filing (备案) after a security assessment (GB/T 45654-2025) before launch;",
			" show the model name and filing number",
		]),
		"message_zh": "工作负载 legal-qa 使用自有或经微调的模型面向公众提供生成式人工智能服务：上线前须按GB/T 45654-2025《网络安全技术 生成式人工智能服务安全基本要求》开展安全评估并完成生成式人工智能服务备案，公示模型名称和备案号",
	}} with input as fx.with_context({"public_service": true})
}

# GB/T 45654-2025 is in force from 2025-11-01T00:00:00+08:00 (2025-10-31T16:00:00Z).
test_obligation_cites_tc260_003_before_the_national_standard if {
	some o in genai_filing.obligation with input as fx.with_context({"public_service": true, "evaluation_time": "2025-10-31T15:59:59Z"})
	contains(o.message_zh, "按TC260-003《生成式人工智能服务安全基本要求》开展安全评估")
	some p in genai_filing.obligation with input as fx.with_context({"public_service": true, "evaluation_time": "2025-10-31T16:00:00Z"})
	contains(p.message_zh, "按GB/T 45654-2025")
}

test_obligation_app_calling_a_filed_model_registers if {
	genai_filing.obligation == {{
		"rule_id": "obligations.genai_filing",
		"message": "workload legal-qa is a public service calling an already filed model: registration (登记) with the provincial CAC before launch; show the model name and filing number",
		"message_zh": "工作负载 legal-qa 直接调用已备案的生成式人工智能模型面向公众提供服务：上线前须向属地网信部门办理登记，公示所调用模型的名称和备案号",
	}} with input as _inference({"public_service": true, "uses_filed_model": true})
}

test_obligation_fine_tuning_a_filed_model_is_filed if {
	some o in genai_filing.obligation with input as fx.with_context({"public_service": true, "uses_filed_model": true})
	contains(o.message, "CAC filing (备案)")
}

test_obligation_registration_only_from_its_start if {
	some o in genai_filing.obligation with input as _inference({"public_service": true, "uses_filed_model": true, "evaluation_time": "2024-04-01T15:59:59Z"})
	contains(o.message, "CAC filing (备案)")
	some p in genai_filing.obligation with input as _inference({"public_service": true, "uses_filed_model": true, "evaluation_time": "2024-04-01T16:00:00Z"})
	contains(p.message, "registration (登记)")
}

# The interim measures are in force from 2023-08-15T00:00:00+08:00 (2023-08-14T16:00:00Z).
test_allow_before_the_interim_measures if {
	genai_filing.obligation == set() with input as fx.with_context({"public_service": true, "evaluation_time": "2023-08-14T15:59:59Z"})
	count(genai_filing.obligation) == 1 with input as fx.with_context({"public_service": true, "evaluation_time": "2023-08-14T16:00:00Z"})
}

test_allow_internal_use if {
	genai_filing.obligation == set() with input as fx.with_context({"public_service": false})
}

test_explain_not_public if {
	genai_filing.explain == {
		"reason": "not a public service (context.public_service)",
		"reason_zh": "不面向公众提供服务",
		"rule_id": "obligations.genai_filing",
	} with input as fx.with_context({})
}

test_explain_not_yet_in_force if {
	genai_filing.explain == {
		"reason": "not yet in force on 2023-08-01 (in force from 2023-08-15)",
		"reason_zh": "评估日期2023年8月1日尚未施行（自2023年8月15日起施行）",
		"rule_id": "obligations.genai_filing",
	} with input as fx.with_context({"public_service": true, "evaluation_time": "2023-08-01T00:00:00+08:00"})
}

test_explain_when_fired if {
	genai_filing.explain == {
		"reason": "public service",
		"reason_zh": "面向公众提供服务",
		"rule_id": "obligations.genai_filing",
	} with input as fx.with_context({"public_service": true})
}
