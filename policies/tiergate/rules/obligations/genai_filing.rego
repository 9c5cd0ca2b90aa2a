# METADATA
# title: CAC filing for public generative-AI services
# description: >-
#   A generative-AI service offered to the public in China must be filed (备案) with the CAC and
#   pass a security assessment before launch, and display the filed model name and number.
# related_resources:
#   - ref: http://www.mynw.cn/news/419871.html
#     description: 生成式人工智能服务管理暂行办法 (2023-08-15), Art. 2 scope
#   - ref: https://csdn.cc/technology/2684192.html
#     description: 国家网信办 — 生成式人工智能服务备案
#   - ref: https://cloud.tencent.com.cn/developer/article/2588646
#     description: 生成式AI备案 — security assessment report
# custom:
#   kind: obligation
#   severity: info
package tiergate.rules.obligations.genai_filing

import data.tiergate.lib.facts
import data.tiergate.lib.result

_name := object.get(input.workload, "name", "(unnamed)")

obligation contains result.obligation(rego.metadata.chain(), message, message_zh) if {
	facts.ctx.public_service == true
	message := sprintf(
		"workload %s is a public service: CAC generative-AI filing and security assessment before launch",
		[_name],
	)
	message_zh := sprintf("工作负载 %s 面向公众提供服务：上线前须完成生成式人工智能服务备案和安全评估", [_name])
}

catalogue_entry := result.describe(rego.metadata.chain())
