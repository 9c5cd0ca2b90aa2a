"""Export availability (issue 10): who the US rules reach, each part's dated review policy, China's
own import stance and GP10, against the real pinned OPA. Expected answers are written out from the
Federal Register dates, not read back from the policy data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.builders import POLICIES_DIR

from .test_decision import decide, rule_ids

MID_2025 = "2025-06-01T00:00:00Z"
TODAY = "2026-12-01T00:00:00Z"
# 91 FR 1684 takes effect at the start of 2026-01-15 (US Eastern).
BEFORE_CASE_BY_CASE = "2026-01-14T23:59:59-05:00"
AT_CASE_BY_CASE = "2026-01-15T00:00:00-05:00"


@pytest.fixture(scope="module")
def client(opa_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=opa_url, timeout=10) as http:
        yield http


def _export_findings(decision: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in decision["violations"] if v["rule_id"].startswith("export.")]


# --- scope: region and headquarters ------------------------------------------------------------


@pytest.mark.parametrize("region", ["cn", "hk", "mo"])
def test_new_b200_is_denied_in_every_chinese_region(client: httpx.Client, region: str) -> None:
    decision = decide(
        client, procurement="new", requested_accelerator="nvidia-b200-hgx", region=region
    )
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"], "deny") == ["export.excluded_part"]


def test_new_b200_for_singapore_is_denied_for_a_china_headquartered_buyer(
    client: httpx.Client,
) -> None:
    decision = decide(
        client,
        procurement="new",
        requested_accelerator="nvidia-b200-hgx",
        region="sg",
        headquarters="cn",
    )
    assert decision["verdict"] == "deny"
    [finding] = _export_findings(decision)
    assert finding["rule_id"] == "export.excluded_part"
    assert finding["message"].endswith("region sg, buyer headquartered in cn")
    assert finding["message_zh"].endswith("采购方总部位于中国内地，设备部署于中国境外")


def test_headquarters_defaults_to_china(client: httpx.Client) -> None:
    decision = decide(
        client, procurement="new", requested_accelerator="nvidia-b200-hgx", region="sg"
    )
    assert decision["verdict"] == "deny"


def test_foreign_buyer_outside_china_has_no_us_export_finding(client: httpx.Client) -> None:
    decision = decide(
        client,
        procurement="new",
        requested_accelerator="nvidia-b200-hgx",
        region="sg",
        headquarters="sg",
    )
    assert _export_findings(decision) == []
    assert decision["verdict"] == "allow"


# --- the January 2026 policy and each part's history -------------------------------------------


@pytest.mark.parametrize("accelerator", ["nvidia-h100-sxm", "nvidia-h200-sxm"])
def test_mid_2025_new_purchase_is_denied_and_today_only_warned(
    client: httpx.Client, accelerator: str
) -> None:
    replay = decide(
        client, procurement="new", requested_accelerator=accelerator, evaluation_time=MID_2025
    )
    assert replay["verdict"] == "deny"
    assert rule_ids(replay["violations"], "deny") == ["export.excluded_part"]
    assert "presumption of denial" in replay["violations"][0]["message"]

    today = decide(
        client, procurement="new", requested_accelerator=accelerator, evaluation_time=TODAY
    )
    assert today["verdict"] == "allow"
    [warning] = [v for v in today["violations"] if v["rule_id"] == "export.restricted_part"]
    assert "case-by-case" in warning["message"]
    assert "按个案审查（自2026年1月15日起）" in warning["message_zh"]
    assert accelerator in today["accelerators"]["allowed"]


def test_case_by_case_starts_at_the_rule_s_effective_date(client: httpx.Client) -> None:
    before = decide(
        client,
        procurement="new",
        requested_accelerator="nvidia-h200-sxm",
        evaluation_time=BEFORE_CASE_BY_CASE,
    )
    at = decide(
        client,
        procurement="new",
        requested_accelerator="nvidia-h200-sxm",
        evaluation_time=AT_CASE_BY_CASE,
    )
    assert before["verdict"] == "deny"
    assert at["verdict"] == "allow"


def test_b200_is_licence_required_under_presumption_of_denial_not_prohibited(
    client: httpx.Client,
) -> None:
    decision = decide(client, procurement="new", requested_accelerator="nvidia-gb200")
    [finding] = _export_findings(decision)
    assert "licence required, presumption of denial" in finding["message"]
    assert "prohibited" not in finding["message"]
    assert "禁止" not in finding["message_zh"]
    rented = decide(client, procurement="rental", requested_accelerator="nvidia-gb200")
    assert rule_ids(rented["violations"]) == ["export.restricted_part"]


def test_new_purchase_excludes_only_parts_under_presumption_of_denial_today(
    client: httpx.Client,
) -> None:
    decision = decide(client, procurement="new", evaluation_time=TODAY)
    excluded = {
        e["accelerator"]
        for e in decision["accelerators"]["excluded"]
        if "export.excluded_part" in e["rule_ids"]
    }
    assert excluded == {"nvidia-b200-hgx", "nvidia-gb200"}
    replay = decide(client, procurement="new", evaluation_time=MID_2025)
    excluded_then = {
        e["accelerator"]
        for e in replay["accelerators"]["excluded"]
        if "export.excluded_part" in e["rule_ids"]
    }
    assert {"nvidia-h100-sxm", "nvidia-h200-sxm", "nvidia-a100-80gb-sxm", "nvidia-l40s"} <= (
        excluded_then
    )
    assert "nvidia-h20" not in excluded_then  # licence letter of 2025-04-09, no published policy


# --- China's import stance and GP10 ------------------------------------------------------------


def test_china_import_restriction_follows_its_dates(client: httpx.Client) -> None:
    def stance(time: str) -> list[str]:
        decision = decide(
            client, procurement="new", requested_accelerator="nvidia-h200-sxm", evaluation_time=time
        )
        return [
            v["message_zh"]
            for v in decision["violations"]
            if v["rule_id"] == "export.china_import_restriction"
        ]

    assert stance("2026-01-13T00:00:00+08:00") == []
    [blocked] = stance("2026-01-20T00:00:00+08:00")
    assert "海关告知报关代理H200不得入境" in blocked
    [conditional] = stance(TODAY)
    assert "仅有条件准许进口" in conditional


def test_ascend_abroad_warns_of_general_prohibition_10(client: httpx.Client) -> None:
    decision = decide(
        client, requested_accelerator="huawei-ascend-910c", region="sg", headquarters="sg"
    )
    assert decision["verdict"] == "allow"
    assert rule_ids(decision["violations"]) == ["export.huawei_ascend_gp10"]
    assert "General Prohibition 10" in decision["violations"][0]["message"]
    at_home = decide(client, requested_accelerator="huawei-ascend-910c", region="cn")
    assert _export_findings(at_home) == []


# --- Chinese text ------------------------------------------------------------------------------

ENUM_WORDS = re.compile(
    r"\b(new|rental|existing|licence_required|presumption_of_denial|case_by_case|not_published"
    r"|restrictive|conditional|prohibited|cn|hk|mo|sg)\b"
)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}")

ZH_CASES: list[dict[str, Any]] = [
    {"procurement": "new", "requested_accelerator": "nvidia-b200-hgx", "region": "sg"},
    {"procurement": "new", "requested_accelerator": "nvidia-h200-sxm"},
    {"procurement": "rental", "requested_accelerator": "nvidia-h20", "evaluation_time": MID_2025},
    {"procurement": "existing", "requested_accelerator": "nvidia-gb200", "region": "hk"},
    {"procurement": "new", "requested_accelerator": "nvidia-rtx-pro-6000d", "region": "mo"},
    {"requested_accelerator": "huawei-ascend-910b3", "region": "my", "headquarters": "my"},
]


@pytest.mark.parametrize("context", ZH_CASES)
def test_export_messages_in_chinese_have_no_enum_words_or_raw_dates(
    client: httpx.Client, context: dict[str, Any]
) -> None:
    findings = _export_findings(decide(client, **context))
    assert findings, context
    for finding in findings:
        text = finding["message_zh"]
        assert not ENUM_WORDS.search(text), text
        assert not RFC3339.search(text), text
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text), text


def test_the_dated_fact_index_names_exactly_the_parts_with_such_a_history() -> None:
    """The export warnings read only the parts the catalogue build's `with_dated_facts` names:
    a part with a history left out of it would never be warned about."""
    catalogue = json.loads(
        (POLICIES_DIR / "tiergate" / "reference" / "accelerators" / "data.json").read_text()
    )
    histories = {
        "export_status_cn": lambda part: part["export_status_cn"]["history"],
        "import_stance_cn": lambda part: part["import_stance_cn"],
        "us_gp10_presumption": lambda part: part["us_gp10_presumption"],
    }
    for fact, history in histories.items():
        expected = {part_id for part_id, part in catalogue["by_id"].items() if history(part)}
        assert set(catalogue["with_dated_facts"][fact]) == expected, fact
    assert set(catalogue["with_dated_facts"]["import_stance_cn"]) >= {"nvidia-h20"}
