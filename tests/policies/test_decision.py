"""The policies against the real pinned OPA (`opa run --server` over policies/, see conftest).

Expected values are written out from the tables of reference/domain-regs.md (§2) and the findings
of reference/regulatory-review-2026-12.md, not read back from the policy data, so a data edit that
changes a decision makes these tests fail until the spec and tests agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

TIERS = ["classified_facility", "bare_metal", "appliance", "vpc", "shared_cloud"]
DATA_CLASSES = ["public", "general", "sensitive", "important", "core"]

# reference/domain-regs.md §2, "Proposed minimum-tier table: sector × data class" (columns D0-D4;
# D5, state secrets, is the state-secret override).
MATRIX: dict[str, list[str]] = {
    "defense": ["bare_metal"] + ["classified_facility"] * 4,
    "government": ["vpc", "vpc", "vpc", "appliance", "bare_metal"],
    "finance": ["shared_cloud", "vpc", "appliance", "bare_metal", "bare_metal"],
    "healthcare": ["shared_cloud", "vpc", "appliance", "bare_metal", "bare_metal"],
    "infrastructure": ["vpc", "vpc", "appliance", "bare_metal", "bare_metal"],
    "general": ["shared_cloud", "vpc", "vpc", "appliance", "bare_metal"],
    "research": ["shared_cloud", "vpc", "vpc", "appliance", "bare_metal"],
}
GROUP_SECTORS: dict[str, list[str]] = {
    "defense": ["defense"],
    "government": ["government"],
    "finance": ["finance"],
    "healthcare": ["healthcare"],
    "infrastructure": ["energy", "telecom", "transport"],
    "general": ["internet", "manufacturing", "education", "other"],
    "research": ["research"],
}

DOMESTIC = "huawei-ascend-910b3"
LICENCE_REQUIRED = "nvidia-h20"
PROHIBITED = "nvidia-b200-hgx"
UNRESTRICTED_FOREIGN = "nvidia-l20"

BASE_CONTEXT: dict[str, Any] = {
    "organization": "acme",
    "sector": "internet",
    "data_class": "general",
    "state_secret": "none",
    "personal_information": False,
    "sensitive_personal_information": False,
    "core_business": False,
    "public_service": False,
    "region": "cn",
    "procurement": "rental",
    "requested_tier": None,
    "requested_accelerator": None,
    "evaluation_time": "2026-11-28T00:00:00Z",
}


@pytest.fixture(scope="module")
def client(opa_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=opa_url, timeout=10) as http:
        yield http


def decide(
    client: httpx.Client,
    candidates: list[str] | None = None,
    **context: Any,
) -> dict[str, Any]:
    """POST one input to the entry point and return the decision."""
    accelerators = [DOMESTIC, UNRESTRICTED_FOREIGN] if candidates is None else candidates
    body = {
        "input": {
            "workload": {"name": "legal-qa", "task": "lora", "params_b": 7.6},
            "context": {**BASE_CONTEXT, **context},
            "candidates": [{"accelerator": a, "count": 8, "nodes": 1} for a in accelerators],
        }
    }
    response = client.post("/v1/data/tiergate/main/decision", json=body)
    response.raise_for_status()
    payload = response.json()
    assert "result" in payload, f"decision undefined for {body}"
    result: dict[str, Any] = payload["result"]
    return result


def rule_ids(items: list[dict[str, Any]], severity: str | None = None) -> list[str]:
    return [i["rule_id"] for i in items if severity is None or i.get("severity") == severity]


# --- shape -------------------------------------------------------------------------------------


def test_decision_shape(client: httpx.Client) -> None:
    decision = decide(client)
    assert set(decision) == {
        "verdict",
        "tier",
        "domestic_substitution",
        "accelerators",
        "violations",
        "obligations",
        "exceptions_applied",
    }
    assert decision["exceptions_applied"] == []  # no exceptions in the input
    assert set(decision["tier"]) == {"minimum", "allowed", "requested", "selected", "basis"}
    assert set(decision["domestic_substitution"]) == {"required", "preferred", "rule_ids"}
    assert set(decision["accelerators"]) == {"allowed", "excluded"}
    assert decision["accelerators"]["allowed"] == sorted(decision["accelerators"]["allowed"])
    for violation in decision["violations"]:
        assert set(violation) == {"rule_id", "severity", "message", "message_zh"}
    for obligation in decision["obligations"]:
        assert set(obligation) == {"rule_id", "message", "message_zh"}


def test_violations_sorted_by_rule_id_then_message(client: httpx.Client) -> None:
    decision = decide(
        client,
        candidates=[],
        sector="government",
        region="sg",
        data_class="important",
        personal_information=True,
        requested_tier="shared_cloud",
        requested_accelerator=PROHIBITED,
        procurement="new",
    )
    keys = [(v["rule_id"], v["message"]) for v in decision["violations"]]
    assert keys == sorted(keys)
    assert len(keys) >= 5


# --- tier matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("group", sorted(MATRIX))
@pytest.mark.parametrize("data_class", DATA_CLASSES)
def test_tier_matrix_cell(client: httpx.Client, group: str, data_class: str) -> None:
    expected = MATRIX[group][DATA_CLASSES.index(data_class)]
    decision = decide(client, sector=GROUP_SECTORS[group][0], data_class=data_class)
    tier = decision["tier"]
    assert tier["minimum"] == expected
    assert tier["allowed"] == TIERS[: TIERS.index(expected) + 1]
    assert tier["selected"] == expected
    assert tier["requested"] is None
    assert rule_ids(tier["basis"]) == ["tier.sector_matrix"]
    assert tier["basis"][0]["tier"] == expected
    assert data_class in tier["basis"][0]["message"]


@pytest.mark.parametrize(
    ("group", "sector"), [(g, s) for g, sectors in GROUP_SECTORS.items() for s in sectors]
)
def test_every_sector_maps_to_its_group_row(client: httpx.Client, group: str, sector: str) -> None:
    minimums = [
        decide(client, sector=sector, data_class=c)["tier"]["minimum"] for c in DATA_CLASSES
    ]
    assert minimums == MATRIX[group]


def test_data_class_defaults_to_general(client: httpx.Client) -> None:
    context = {k: v for k, v in BASE_CONTEXT.items() if k != "data_class"}
    body = {"input": {"workload": {"name": "x", "task": "inference"}, "context": context}}
    response = client.post("/v1/data/tiergate/main/decision", json=body)
    assert response.json()["result"]["tier"]["minimum"] == "vpc"


# --- requested tier ----------------------------------------------------------------------------


def test_requested_tier_below_minimum_denies(client: httpx.Client) -> None:
    decision = decide(client, sector="finance", data_class="sensitive", requested_tier="vpc")
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"], "deny") == ["tier.below_minimum"]
    assert decision["tier"]["selected"] == "appliance"
    assert decision["tier"]["requested"] == "vpc"


@pytest.mark.parametrize("requested", ["appliance", "bare_metal", "classified_facility"])
def test_requested_tier_at_or_above_minimum_is_selected(
    client: httpx.Client, requested: str
) -> None:
    decision = decide(client, sector="finance", data_class="sensitive", requested_tier=requested)
    assert decision["verdict"] == "allow"
    assert decision["tier"]["selected"] == requested


# --- overrides ---------------------------------------------------------------------------------


@pytest.mark.parametrize("grade", ["secret", "confidential", "top_secret"])
def test_state_secret_override(client: httpx.Client, grade: str) -> None:
    decision = decide(
        client, candidates=[DOMESTIC], sector="research", data_class="public", state_secret=grade
    )
    assert decision["tier"]["minimum"] == "classified_facility"
    assert decision["tier"]["allowed"] == ["classified_facility"]
    assert rule_ids(decision["tier"]["basis"]) == ["tier.state_secret"]


@pytest.mark.parametrize("sector", ["finance", "healthcare"])
def test_core_business_override(client: httpx.Client, sector: str) -> None:
    decision = decide(client, sector=sector, data_class="public", core_business=True)
    assert decision["tier"]["minimum"] == "bare_metal"
    assert rule_ids(decision["tier"]["basis"]) == ["tier.core_business"]


def test_core_business_outside_finance_and_healthcare_has_no_override(
    client: httpx.Client,
) -> None:
    decision = decide(client, sector="energy", data_class="public", core_business=True)
    assert decision["tier"]["minimum"] == "vpc"


@pytest.mark.parametrize(
    ("flags", "basis"),
    [
        ({"personal_information": True}, ["tier.personal_information"]),
        # Sensitive personal information also lifts public data to sensitive (research: vpc).
        (
            {"sensitive_personal_information": True},
            ["tier.personal_information", "tier.sector_matrix"],
        ),
    ],
)
def test_personal_information_override(
    client: httpx.Client, flags: dict[str, bool], basis: list[str]
) -> None:
    decision = decide(client, sector="research", data_class="public", **flags)
    assert decision["tier"]["minimum"] == "vpc"
    assert rule_ids(decision["tier"]["basis"]) == basis
    denied = decide(
        client, sector="research", data_class="public", requested_tier="shared_cloud", **flags
    )
    assert denied["verdict"] == "deny"


def test_sensitive_personal_information_lifts_tier_and_mlps_level(client: httpx.Client) -> None:
    """Review row 5: healthcare, general data, sensitive PI was vpc / MLPS level 2."""
    decision = decide(
        client, sector="healthcare", data_class="general", sensitive_personal_information=True
    )
    assert decision["tier"]["minimum"] == "appliance"
    sector_floor = next(
        b for b in decision["tier"]["basis"] if b["rule_id"] == "tier.sector_matrix"
    )
    assert "(sensitive personal information counts as sensitive data)" in sector_floor["message"]
    mlps = [o for o in decision["obligations"] if o["rule_id"] == "obligations.mlps_filing"]
    assert [o["message"].split(" grading")[0] for o in mlps] == ["MLPS (GB/T 22239-2019) level 3"]


@pytest.mark.parametrize(
    ("data_class", "expected"),
    [
        ("public", "vpc"),
        ("general", "vpc"),
        ("sensitive", "appliance"),
        ("important", "bare_metal"),
    ],
)
def test_cii_designation_applies_in_any_sector(
    client: httpx.Client, data_class: str, expected: str
) -> None:
    decision = decide(client, sector="research", data_class=data_class, cii_operator=True)
    assert decision["tier"]["minimum"] == expected
    assert "tier.cii_operator" in rule_ids(decision["tier"]["basis"])
    undesignated = decide(client, sector="research", data_class=data_class)
    assert "tier.cii_operator" not in rule_ids(undesignated["tier"]["basis"])


def test_override_never_lowers_the_matrix(client: httpx.Client) -> None:
    decision = decide(client, sector="finance", data_class="important", personal_information=True)
    assert decision["tier"]["minimum"] == "bare_metal"
    assert rule_ids(decision["tier"]["basis"]) == ["tier.sector_matrix"]


@pytest.mark.parametrize(
    "instant", ["2262-04-12T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"]
)
def test_an_unreadable_evaluation_time_fails_closed(client: httpx.Client, instant: str) -> None:
    """Beyond the int64-nanosecond range no dated rule can tell whether it is in force: the
    decision is deny (finance at the phase-in would otherwise read as "not yet" and allow)."""
    decision = decide(client, sector="finance", evaluation_time=instant)
    assert decision["verdict"] == "deny"
    assert [v["rule_id"] for v in decision["violations"] if v["severity"] == "deny"] == [
        "context.evaluation_time_invalid"
    ]


def test_a_readable_evaluation_time_is_not_denied_for_it(client: httpx.Client) -> None:
    decision = decide(client, evaluation_time="2262-04-11T23:47:16Z")
    assert decision["verdict"] == "allow"
    assert "context.evaluation_time_invalid" not in {v["rule_id"] for v in decision["violations"]}
