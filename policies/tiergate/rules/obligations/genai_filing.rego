# METADATA
# title: Generative-AI filing (备案) or registration (登记) for a public service
# description: >-
#   A generative-AI service offered to the public in China is filed (备案) with the CAC after a
#   security assessment against the baseline standard (GB/T 45654-2025 from 2025-11-01) when it
#   runs its own or a fine-tuned model; an application that calls an already filed model unchanged
#   (`context.uses_filed_model`) is registered (登记) with the provincial CAC instead. Either way it
#   shows the model's name and filing number.
# related_resources:
#   - ref: https://www.cac.gov.cn/2023-07/13/c_1690898327029107.htm
#     description: 生成式人工智能服务管理暂行办法 (in force 2023-08-15) Art. 2, Art. 17
#   - ref: https://www.cac.gov.cn/2026-05/13/c_1780413225190669.htm
#     description: 国家网信办 — filed generative-AI services and registered applications (登记 of apps calling filed models)
# custom:
#   title_zh: 面向公众的生成式人工智能服务备案或登记
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.genai_filing

import data.tiergate.lib.facts
import data.tiergate.lib.result

_config := data.tiergate.reference.obligations.genai_filing

_name := object.get(input.workload, "name", "(unnamed)")

_standard := facts.in_force_entries(_config.baseline_standard)[0]

# An application may register (登记) only when it serves a filed model unchanged: a training or
# fine-tuning task makes the model its own.
_registers if {
	facts.ctx.uses_filed_model == true
	not object.get(input.workload, "task", "") in _config.training_tasks
	facts.in_force({"effective_from": _config.registration_from})
}

_applies if {
	facts.ctx.public_service == true
	facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	_applies
	not _registers
	message := sprintf(
		concat("", [
			"workload %s is a public generative-AI service with its own or a fine-tuned model: CAC filing (备案) ",
			"after a security assessment (%s) before launch; show the model name and filing number",
		]),
		[_name, _standard.name],
	)
	message_zh := sprintf(
		"工作负载 %s 使用自有或经微调的模型面向公众提供生成式人工智能服务：上线前须按%s开展安全评估并完成生成式人工智能服务备案，公示模型名称和备案号",
		[_name, _standard.name_zh],
	)
}

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	_applies
	_registers
	message := sprintf(
		"workload %s is a public service calling an already filed model: registration (登记) with the provincial CAC before launch; show the model name and filing number",
		[_name],
	)
	message_zh := sprintf(
		"工作负载 %s 直接调用已备案的生成式人工智能模型面向公众提供服务：上线前须向属地网信部门办理登记，公示所调用模型的名称和备案号",
		[_name],
	)
}

catalogue_entry := result.describe(rego.metadata.chain())

explain := result.explanation(rego.metadata.chain(), _why_not)

default _why_not := ["public service", "面向公众提供服务"]

_why_not := ["not a public service (context.public_service)", "不面向公众提供服务"] if {
	facts.ctx.public_service != true
} else := facts.rule_not_in_force_reason(result.rule_id(rego.metadata.chain())) if {
	not facts.rule_in_force(result.rule_id(rego.metadata.chain()))
}
