"""Every `message_zh` the policies produce, and every rule's `reason_zh` (why it did not fire,
for a dry run with explain=true), reads as Chinese a compliance officer would write.

Drives the real OPA over a broad grid of inputs (each context field varied around several bases,
plus a seeded sample of combinations) and scans every Chinese message of every violation,
obligation and tier floor for English enum values of the request (机密 not confidential, 租用 not
rental, 中国香港 not hk), raw RFC 3339 stamps (2027年1月1日, not 2027-01-01T00:00:00+08:00), lists
joined with ", " instead of 、, and stray spaces before Chinese text. Identifiers of the API do
not appear either: a tier is 专有网络VPC (not vpc), a rule is named by its Chinese title (not
tier.sector_matrix), an accelerator by its catalogue name in Chinese (华为昇腾910B3, not
huawei-ascend-910b3); only an accelerator ID the catalogue lacks is quoted as given.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.policies.vocabulary import DataClass, Procurement, Sector, StateSecret, Tier

from .test_decision import BASE_CONTEXT, DOMESTIC, LICENCE_REQUIRED, UNRESTRICTED_FOREIGN

REGIONS = ["cn", "hk", "mo", "sg", "us"]
ENUM_WORDS = (
    {e.value for e in DataClass}
    | {e.value for e in StateSecret}
    | {e.value for e in Procurement}
    | {e.value for e in Sector}
    | {e.value for e in Tier}
    | set(REGIONS)
    | {"true", "false", "null", "rule", "judgement", "prohibited", "licence_required"}
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
# a rule ID (tier.sector_matrix) or a catalogue ID (huawei-ascend-910b3): lower case joined by
# . or -, outside the “quotes” that mark an ID the catalogue lacks
IDENTIFIER = re.compile(r"(?<![“A-Za-z0-9])[a-z][a-z0-9]*(?:[._-][a-z0-9]+)+(?![”A-Za-z0-9])")
RAW_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}")
TITLE = re.compile(r"《[^》]*》")
SPACE_BEFORE_CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef] +[\u4e00-\u9fff]")

VARIATIONS: dict[str, list[Any]] = {
    "sector": [s.value for s in Sector],
    "data_class": [d.value for d in DataClass],
    "state_secret": [s.value for s in StateSecret],
    "personal_information": [True],
    "sensitive_personal_information": [True],
    "core_business": [True],
    "public_service": [True],
    "uses_filed_model": [True],
    "cii_operator": [True],
    "state_funded_data_centre": [True],
    "region": REGIONS,
    "procurement": [p.value for p in Procurement],
    "requested_tier": ["classified_facility", "bare_metal", "appliance", "vpc", "shared_cloud"],
    "requested_accelerator": [DOMESTIC, UNRESTRICTED_FOREIGN, LICENCE_REQUIRED],
    "personal_information_people": [20_000_000],
    "cross_border": [
        {"people_per_year": 50_000},
        {"people_per_year": 200_000, "sensitive_people_per_year": 10},
        {"people_per_year": 2_000_000},
        {"sensitive_people_per_year": 20_000},
    ],
    "evaluation_time": [
        "2023-06-01T00:00:00+08:00",
        "2024-06-01T00:00:00+08:00",
        "2025-06-01T00:00:00+08:00",
        "2025-12-31T00:00:00+08:00",
        "2026-12-01T00:00:00+08:00",
        "2027-06-01T00:00:00+08:00",
    ],
}
BASES: list[dict[str, Any]] = [
    {},
    {"sector": "finance", "core_business": True},
    {"sector": "healthcare", "sensitive_personal_information": True, "public_service": True},
    {"sector": "government", "data_class": "important"},
    {"sector": "energy", "region": "hk", "personal_information": True, "cii_operator": True},
]
SAMPLED_COMBINATIONS = 100


def _contexts() -> Iterator[dict[str, Any]]:
    for base in BASES:
        for field, values in VARIATIONS.items():
            for value in values:
                yield {**base, field: value}
    rng = random.Random(10)  # a fixed seed: the same grid on every run
    for _ in range(SAMPLED_COMBINATIONS):
        yield {field: rng.choice(values) for field, values in VARIATIONS.items()}


# Approved exceptions for every rule that denies in the grid, so the messages of the exceptions
# applied (lib/exceptions.rego) are scanned too; scope null matches every context.
EXCEPTIONS = {
    "subject": {"organization": "", "workload_name": "legal-qa"},
    "active": [
        {
            "id": f"exc-{number}",
            "rule_id": rule_id,
            "scope": {"sector": None},
            "valid_from": "2020-01-01T00:00:00Z",
            "expires_at": "2029-12-31T16:00:00Z",
        }
        for number, rule_id in enumerate(
            ["tier.below_minimum", "domestic.sector_mandate", "residency.data_export"]
        )
    ],
}


# What the grid's input itself names (a workload, approved exceptions' numbers): the caller's
# own values, quoted back as given.
_VALUES_OF_THE_INPUT = {"legal-qa"} | {e["id"] for e in EXCEPTIONS["active"]}


def _messages(decision: dict[str, Any]) -> Iterator[tuple[str, str]]:
    items = decision["violations"] + decision["obligations"] + decision["tier"]["basis"]
    for item in items:
        yield item["rule_id"], item["message_zh"]
    for applied in decision["exceptions_applied"]:
        yield "exceptions_applied", applied["message_zh"]


def _problems(text: str) -> list[str]:
    found = [f"English enum value {w!r}" for w in WORD.findall(text) if w in ENUM_WORDS]
    found += [
        f"identifier {w!r}" for w in IDENTIFIER.findall(text) if w not in _VALUES_OF_THE_INPUT
    ]
    if RAW_TIMESTAMP.search(text):
        found.append("raw timestamp")
    if ", " in text:
        found.append("list joined with ', ' (use 、)")
    # A standard's official title keeps its space (《网络安全技术 生成式人工智能服务安全基本要求》).
    if SPACE_BEFORE_CHINESE.search(TITLE.sub("《》", text)):
        found.append("stray space between Chinese words")
    return found


@pytest.fixture(scope="module")
def grid(opa_url: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """rule ID -> every distinct message_zh the grid produced, and rule ID -> every distinct
    reason_zh of its explanation when it did not fire (one query of decision_explained each)."""
    messages: dict[str, set[str]] = {}
    reasons: dict[str, set[str]] = {}
    candidates = [
        {"accelerator": a, "count": 8, "nodes": 1}
        for a in [DOMESTIC, UNRESTRICTED_FOREIGN, LICENCE_REQUIRED]
    ]
    with httpx.Client(base_url=opa_url, timeout=10) as http:
        for context in _contexts():
            body = {
                "input": {
                    "workload": {"name": "legal-qa", "task": "inference", "params_b": 7.6},
                    "context": {**BASE_CONTEXT, **context},
                    "candidates": candidates,
                    "exceptions": EXCEPTIONS,
                }
            }
            response = http.post("/v1/data/tiergate/main/decision_explained", json=body)
            response.raise_for_status()
            result = response.json()["result"]
            for rule_id, text in _messages(result["decision"]):
                messages.setdefault(rule_id, set()).add(text)
            for explanation in result["explanations"]:
                if not explanation["fired"]:
                    reasons.setdefault(explanation["rule_id"], set()).add(explanation["reason_zh"])
    return messages, reasons


@pytest.fixture(scope="module")
def produced(grid: tuple[dict[str, set[str]], dict[str, set[str]]]) -> dict[str, set[str]]:
    return grid[0]


@pytest.fixture(scope="module")
def reasons(grid: tuple[dict[str, set[str]], dict[str, set[str]]]) -> dict[str, set[str]]:
    return grid[1]


def test_the_grid_reaches_every_rule_that_speaks(produced: dict[str, set[str]]) -> None:
    speaking = {
        "tier.sector_matrix", "tier.state_secret", "tier.core_business", "tier.cii_operator",
        "tier.personal_information", "tier.below_minimum", "domestic.sector_mandate",
        "domestic.state_secret", "domestic.finance_critical", "domestic.finance_phase_in",
        "domestic.sector_preference", "domestic.state_funded_data_centre",
        "residency.data_export", "obligations.mlps_filing",
        "obligations.mlps_cloud_extension", "obligations.classified_protection",
        "obligations.genai_filing", "obligations.ai_content_labeling",
        "obligations.finance_outsourcing", "obligations.government_cloud",
        "obligations.pipl_sensitive_pi", "obligations.domestic_host_stack",
        "obligations.network_data_security", "obligations.pboc_data_security",
        "obligations.pi_export_contract", "exceptions_applied",
    }  # fmt: skip
    assert speaking <= set(produced)


def test_no_message_zh_leaks_english_enums_timestamps_or_commas(
    produced: dict[str, set[str]],
) -> None:
    bad = {
        (rule_id, text, tuple(_problems(text)))
        for rule_id, texts in produced.items()
        for text in texts
        if _problems(text)
    }
    assert not bad, "\n".join(f"{r}: {p}: {t}" for r, t, p in sorted(bad))


def test_the_grid_reaches_the_explanation_of_every_rule_that_can_stay_silent(
    reasons: dict[str, set[str]], opa_url: str
) -> None:
    catalogue = httpx.get(f"{opa_url}/v1/data/tiergate/main/catalogue").json()["result"]
    # the tier matrix has a cell for every sector and data class: it fires for every valid input
    always = {"tier.sector_matrix"}
    assert set(reasons) == {rule["rule_id"] for rule in catalogue} - always


def test_no_reason_zh_leaks_english_enums_timestamps_or_commas(
    reasons: dict[str, set[str]],
) -> None:
    bad = {
        (rule_id, text, tuple(_problems(text)))
        for rule_id, texts in reasons.items()
        for text in texts
        if _problems(text)
    }
    assert not bad, "\n".join(f"{r}: {p}: {t}" for r, t, p in sorted(bad))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("涉及国家秘密（confidential）", "English enum value 'confidential'"),
        ("采购方式 rental，供应可能中断", "English enum value 'rental'"),
        ("在地区 hk 处理个人信息", "English enum value 'hk'"),
        ("自 2027-01-01T00:00:00+08:00 起", "raw timestamp"),
        ("依据规则：tier.core_business, tier.sector_matrix", "list joined with ', ' (use 、)"),
        ("依据规则：tier.core_business", "identifier 'tier.core_business'"),
        ("所申请的加速卡 huawei-ascend-910b3 为国产加速卡", "identifier 'huawei-ascend-910b3'"),
        ("最低部署层级为专有网络VPC（vpc）", "English enum value 'vpc'"),
        ("最低部署层级为 本地GPU一体机", "stray space between Chinese words"),
    ],
)
def test_the_scan_catches_what_the_review_found(text: str, problem: str) -> None:
    assert problem in _problems(text)


def test_the_scan_passes_natural_chinese() -> None:
    assert _problems("金融行业处理敏感数据，最低部署层级为本地GPU一体机（判断性规则）") == []
    assert _problems("所申请的加速卡“acme-tpu-9”不在加速卡目录中") == []
    assert _problems("候选方案中的加速卡英伟达HGX H20 96GB（中国特供版）：自2025年7月31日起") == []
    assert _problems("在中国香港处理重要数据，属于数据出境") == []
