"""The UI's own words, in Chinese and English (enum labels are in service/labels.py)."""

from __future__ import annotations

from service.labels import Lang

TEXT: dict[str, tuple[str, str]] = {
    "app": ("tiergate 审计工作台", "tiergate audit workspace"),
    "signin": ("登录", "Sign in"),
    "signout": ("退出", "Sign out"),
    "api_key": ("API 密钥", "API key"),
    "signin_help": (
        "请输入具有审计员角色的 API 密钥。密钥只用于本次登录，不会保存在浏览器中。",
        "Enter an API key with the auditor role. The key is used for this sign-in only and is "
        "not stored in the browser.",
    ),
    "bad_key": ("密钥无效或已吊销。", "The key is invalid or revoked."),
    "dashboard": ("概览", "Dashboard"),
    "decisions": ("决策记录", "Decisions"),
    "verify": ("链校验", "Chain verification"),
    "rules": ("规则目录", "Rule catalogue"),
    "evidence": ("证据包", "Evidence pack"),
    "language": ("English", "中文"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "last_30_days": ("近 30 天", "Last 30 days"),
    "per_day": ("每日决策数", "Decisions per day"),
    "deny_rate": ("各行业否决率", "Deny rate by sector"),
    "tiers_selected": ("选定层级", "Tiers selected"),
    "top_rules": ("最常触发的规则", "Most frequent rules"),
    "total": ("决策总数", "Decisions"),
    "no_data": ("暂无数据", "No data"),
    "sector": ("行业", "Sector"),
    "verdict": ("结论", "Verdict"),
    "tier": ("选定层级", "Selected tier"),
    "rule_id": ("规则编号", "Rule id"),
    "organization": ("单位", "Organisation"),
    "since": ("起始日期", "From"),
    "until": ("截止日期（含）", "To (inclusive)"),
    "filter": ("筛选", "Filter"),
    "any": ("全部", "Any"),
    "created_at": ("决策时间", "Decided"),
    "evaluation_time": ("评估时点", "Evaluated as of"),
    "recommendation": ("推荐方案", "Recommendation"),
    "alternatives": ("备选方案", "Alternatives"),
    "submitted_by": ("提交人", "Submitted by"),
    "next_page": ("下一页", "Next page"),
    "first_page": ("第一页", "First page"),
    "open": ("查看", "Open"),
    "request": ("申请内容", "Request"),
    "masked": ("已脱敏", "masked"),
    "ladder": ("安全层级", "Security ladder"),
    "requested": ("申请", "requested"),
    "minimum": ("最低要求", "minimum"),
    "selected": ("选定", "selected"),
    "not_allowed": ("不允许", "not allowed"),
    "allowed": ("允许", "allowed"),
    "violations": ("违规项", "Violations"),
    "obligations": ("合规义务", "Obligations"),
    "none": ("无", "None"),
    "regulation": ("依据", "Regulation"),
    "memory": ("单卡显存构成（GB）", "Memory per device (GB)"),
    "memory_job": ("整体显存（GB）", "Whole job memory (GB)"),
    "accelerator": ("加速卡", "Accelerator"),
    "count": ("数量", "Count"),
    "nodes": ("节点", "Nodes"),
    "resource_form": ("资源形态", "Resource form"),
    "memory_per_device": ("单卡显存（GB）", "Memory per device (GB)"),
    "hours": ("预计时长（小时）", "Estimated hours"),
    "cost": ("费用（美元）", "Cost (USD)"),
    "excluded": ("被排除的加速卡", "Excluded accelerators"),
    "integrity": ("完整性", "Integrity"),
    "seq": ("序号", "Seq"),
    "prev_hash": ("前一哈希", "Previous hash"),
    "hash": ("哈希", "Hash"),
    "key": ("签名密钥", "Signing key"),
    "signature": ("签名", "Signature"),
    "verified": ("校验结果", "Verified"),
    "verified_ok": ("已通过 ✓", "verified ✓"),
    "verified_bad": ("未通过 ✗", "failed ✗"),
    "policy_revision": ("策略版本", "Policy revision"),
    "verify_help": (
        "逐条核对全部决策记录的哈希链、签名与索引列。",
        "Walk every record: chain links, hashes, signatures and index columns.",
    ),
    "verify_now": ("立即校验", "Verify now"),
    "chain_ok": ("哈希链完整", "The chain is intact"),
    "chain_bad": ("哈希链已被破坏", "The chain is broken"),
    "checked": ("已核对记录数", "Records checked"),
    "exceptions_checked": ("已核对例外条目数", "Exception log entries checked"),
    "expiring_exceptions": ("30 天内到期的例外", "Exceptions expiring within 30 days"),
    "expiring_none": ("30 天内没有到期的例外。", "No exception expires within 30 days."),
    "expires_at": ("到期时间", "Expires"),
    "approval_reference": ("批准文号", "Approval reference"),
    "approved_by": ("批准人", "Approved by"),
    "exception_scope": ("适用范围", "Scope"),
    "excepted": ("已豁免", "Excepted"),
    "excepted_by": (
        "经批准的例外豁免，不影响结论：例外编号",
        "Waived by an approved exception; the verdict ignores it. Exception",
    ),
    "scope_sector": ("行业", "Sector"),
    "scope_organization": ("单位", "Organisation"),
    "scope_workload_name": ("工作负载", "Workload"),
    "scope_accelerator": ("申请加速卡", "Requested accelerator"),
    "scope_tier": ("申请层级", "Requested tier"),
    "first_bad": ("首个异常记录", "First bad record"),
    "reason": ("原因", "Reason"),
    "evidence_help": (
        "下载所选期间的证据包（ZIP）：记录、公钥、签名检查点、策略、规则目录、审计事件、摘要及校验和。"
        "可离线用 tiergate verify-evidence 核验。",
        "Download the evidence pack (ZIP) of a period: records, keys, a signed checkpoint, "
        "policies, the rule catalogue, audit events, a summary and sums. Check it offline with "
        "tiergate verify-evidence.",
    ),
    "download": ("下载证据包", "Download evidence pack"),
    "title": ("标题", "Title"),
    "description": ("说明", "Description"),
    "severity": ("级别", "Severity"),
    "effective_on": ("生效日期", "In force from"),
    "forbidden": ("无权访问", "Forbidden"),
    "forbidden_help": (
        "您的密钥没有此页面所需的角色（需要：{roles}）。",
        "Your key lacks the role this page needs (needs: {roles}).",
    ),
    "not_found": ("未找到", "Not found"),
    "csrf": ("请求被拒绝", "Request refused"),
    "csrf_help": (
        "表单缺少有效的防伪令牌（CSRF）。请返回页面后重试。",
        "The form lacks a valid anti-forgery (CSRF) token. Go back to the page and try again.",
    ),
    "bad_filter": ("筛选条件无效", "Invalid filter"),
    "back": ("返回", "Back"),
    "anonymous": ("（未启用认证）", "(authentication off)"),
    "rule_title": ("规则", "Rule"),
    "record": ("决策记录", "Decision record"),
    "fits": ("可行", "Fits"),
    "task": ("任务", "Task"),
}

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "submitter": ("提交人", "submitter"),
    "auditor": ("审计员", "auditor"),
    "admin": ("管理员", "admin"),
    "policy_author": ("策略编写人", "policy author"),
}

MEMORY_PARTS: dict[str, tuple[str, str]] = {
    "weights": ("权重", "Weights"),
    "gradients": ("梯度", "Gradients"),
    "optimizer_states": ("优化器状态", "Optimizer states"),
    "activations": ("激活值", "Activations"),
    "kv_cache": ("KV 缓存", "KV cache"),
    "overhead": ("其他开销", "Overhead"),
}


def t(key: str, lang: Lang) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "organization": ("单位", "Organisation"),
    "sector": ("行业", "Sector"),
    "data_class": ("数据分级", "Data grade"),
    "state_secret": ("涉密等级", "State-secret level"),
    "personal_information": ("处理个人信息", "Personal information"),
    "sensitive_personal_information": ("处理敏感个人信息", "Sensitive personal information"),
    "core_business": ("支撑核心业务", "Core business"),
    "public_service": ("面向境内公众提供服务", "Public service in China"),
    "region": ("部署地区", "Region"),
    "headquarters": ("最终控股方所在地", "Headquarters"),
    "procurement": ("采购方式", "Procurement"),
    "requested_tier": ("申请层级", "Requested tier"),
    "requested_accelerator": ("申请加速卡", "Requested accelerator"),
    "evaluation_time": ("评估时点", "Evaluated as of"),
    "cii_operator": ("关键信息基础设施运营者", "Critical information infrastructure operator"),
    "cross_border": ("个人信息出境规模", "Personal information sent abroad"),
    "personal_information_people": (
        "个人信息涉及人数",
        "People whose data is processed",
    ),
    "state_funded_data_centre": ("国有资金投资的数据中心", "State-funded data centre"),
    "uses_filed_model": ("调用已备案的模型", "Calls an already filed model"),
}

CROSS_BORDER_FIELDS: dict[str, tuple[str, str]] = {
    "people_per_year": ("当年累计出境人数", "People per year"),
    "sensitive_people_per_year": ("其中敏感个人信息人数", "Of them, sensitive"),
}


def figure(value: object) -> object:
    """A measured quantity as a person reads it: the API keeps full precision (issue 12), a page
    shows three significant figures (15.2, 0.0607, 1 234)."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"
