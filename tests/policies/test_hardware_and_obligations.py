"""Domestic substitution, export availability, residency, capacity, obligations and the rule
catalogue, against the real pinned OPA (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .test_decision import (
    DOMESTIC,
    LICENCE_REQUIRED,
    PROHIBITED,
    UNRESTRICTED_FOREIGN,
    decide,
    rule_ids,
)

# 2027-01-01T00:00:00+08:00, the start date of domestic.finance_phase_in, is 16:00Z the day before.
BEFORE_PHASE_IN = "2026-12-31T15:59:59Z"
AT_PHASE_IN = "2027-01-01T00:00:00+08:00"
AFTER_PHASE_IN = "2027-06-01T00:00:00Z"


@pytest.fixture(scope="module")
def client(opa_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=opa_url, timeout=10) as http:
        yield http


@pytest.fixture(scope="module")
def catalogue(client: httpx.Client) -> dict[str, dict[str, Any]]:
    accelerators = client.get("/v1/data/tiergate/reference/accelerators/by_id").json()["result"]
    return dict(accelerators)


def _excluded_ids(decision: dict[str, Any]) -> set[str]:
    return {e["accelerator"] for e in decision["accelerators"]["excluded"]}


# --- domestic substitution ---------------------------------------------------------------------

REQUIRED_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("defense", {"sector": "defense"}, "domestic.sector_mandate"),
    ("government", {"sector": "government"}, "domestic.sector_mandate"),
    ("state secret", {"sector": "internet", "state_secret": "secret"}, "domestic.state_secret"),
    ("finance core", {"sector": "finance", "core_business": True}, "domestic.finance_critical"),
    (
        "finance important",
        {"sector": "finance", "data_class": "important"},
        "domestic.finance_critical",
    ),
    ("finance core data", {"sector": "finance", "data_class": "core"}, "domestic.finance_critical"),
    (
        "finance after date",
        {"sector": "finance", "evaluation_time": AT_PHASE_IN},
        "domestic.finance_phase_in",
    ),
]


@pytest.mark.parametrize(
    ("context", "rule_id"),
    [(c, r) for _, c, r in REQUIRED_CASES],
    ids=[n for n, _, _ in REQUIRED_CASES],
)
def test_domestic_required(
    client: httpx.Client,
    catalogue: dict[str, dict[str, Any]],
    context: dict[str, Any],
    rule_id: str,
) -> None:
    decision = decide(client, **context)
    substitution = decision["domestic_substitution"]
    assert substitution["required"] is True
    assert rule_id in substitution["rule_ids"]
    allowed = decision["accelerators"]["allowed"]
    assert allowed, "some domestic accelerator must remain"
    assert all(catalogue[a]["domestic"] for a in allowed)
    assert _excluded_ids(decision) >= {a for a, spec in catalogue.items() if not spec["domestic"]}
    assert decision["verdict"] == "allow"  # a domestic candidate exists and nothing was requested

    denied = decide(client, requested_accelerator=UNRESTRICTED_FOREIGN, **context)
    assert denied["verdict"] == "deny"
    assert rule_id in rule_ids(denied["violations"], "deny")
    assert decide(client, requested_accelerator=DOMESTIC, **context)["verdict"] == "allow"


def test_finance_before_effective_date_is_a_warning(client: httpx.Client) -> None:
    decision = decide(
        client,
        sector="finance",
        evaluation_time=BEFORE_PHASE_IN,
        requested_accelerator=UNRESTRICTED_FOREIGN,
    )
    assert decision["verdict"] == "allow"
    assert decision["domestic_substitution"] == {
        "required": False,
        "preferred": True,
        "rule_ids": ["domestic.finance_phase_in"],
    }
    assert rule_ids(decision["violations"], "warn") == ["domestic.finance_phase_in"]
    assert UNRESTRICTED_FOREIGN in decision["accelerators"]["allowed"]


@pytest.mark.parametrize("when", [AT_PHASE_IN, AFTER_PHASE_IN])
def test_finance_from_effective_date_is_required(client: httpx.Client, when: str) -> None:
    decision = decide(
        client, sector="finance", evaluation_time=when, requested_accelerator=UNRESTRICTED_FOREIGN
    )
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"], "deny") == ["domestic.finance_phase_in"]
    assert decision["domestic_substitution"]["required"] is True


@pytest.mark.parametrize("sector", ["energy", "telecom", "transport", "education", "healthcare"])
def test_domestic_preferred(client: httpx.Client, sector: str) -> None:
    decision = decide(client, sector=sector, requested_accelerator=UNRESTRICTED_FOREIGN)
    assert decision["verdict"] == "allow"
    assert decision["domestic_substitution"] == {
        "required": False,
        "preferred": True,
        "rule_ids": ["domestic.sector_preference"],
    }
    assert rule_ids(decision["violations"], "warn") == ["domestic.sector_preference"]
    assert decision["accelerators"]["excluded"] == []
    domestic = decide(client, sector=sector, requested_accelerator=DOMESTIC)
    assert domestic["violations"] == []


@pytest.mark.parametrize("sector", ["internet", "manufacturing", "research", "other"])
def test_no_domestic_substitution(client: httpx.Client, sector: str) -> None:
    decision = decide(client, sector=sector, requested_accelerator=UNRESTRICTED_FOREIGN)
    assert decision["domestic_substitution"] == {
        "required": False,
        "preferred": False,
        "rule_ids": [],
    }
    assert decision["violations"] == []
    assert decision["verdict"] == "allow"


# --- export availability -----------------------------------------------------------------------


def test_new_procurement_excludes_prohibited_and_denies_request(client: httpx.Client) -> None:
    decision = decide(client, procurement="new", requested_accelerator=PROHIBITED)
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"]) == ["export.excluded_part"]
    assert {"accelerator": PROHIBITED, "rule_ids": ["export.excluded_part"]} in decision[
        "accelerators"
    ]["excluded"]
    assert PROHIBITED not in decision["accelerators"]["allowed"]


def test_new_procurement_warns_licence_required(client: httpx.Client) -> None:
    decision = decide(client, procurement="new", requested_accelerator=LICENCE_REQUIRED)
    assert decision["verdict"] == "allow"
    assert rule_ids(decision["violations"], "warn") == ["export.restricted_part"]
    assert LICENCE_REQUIRED in decision["accelerators"]["allowed"]


@pytest.mark.parametrize("procurement", ["rental", "existing"])
@pytest.mark.parametrize("accelerator", [PROHIBITED, LICENCE_REQUIRED])
def test_rental_and_existing_only_warn(
    client: httpx.Client, procurement: str, accelerator: str
) -> None:
    decision = decide(client, procurement=procurement, requested_accelerator=accelerator)
    assert decision["verdict"] == "allow"
    assert rule_ids(decision["violations"]) == ["export.restricted_part"]
    assert rule_ids(decision["violations"], "warn") == ["export.restricted_part"]
    assert decision["accelerators"]["excluded"] == []


def test_procurement_defaults_to_rental(client: httpx.Client) -> None:
    decision = decide(client, procurement=None, requested_accelerator=PROHIBITED)
    assert decision["verdict"] == "allow"
    assert rule_ids(decision["violations"], "warn") == ["export.restricted_part"]


@pytest.mark.parametrize("procurement", ["new", "rental"])
def test_unrestricted_part_has_no_export_finding(client: httpx.Client, procurement: str) -> None:
    decision = decide(client, procurement=procurement, requested_accelerator=UNRESTRICTED_FOREIGN)
    assert decision["violations"] == []


def test_export_warnings_name_candidate_plans_when_nothing_requested(
    client: httpx.Client,
) -> None:
    decision = decide(client, candidates=[LICENCE_REQUIRED, DOMESTIC], procurement="new")
    warnings = [v for v in decision["violations"] if v["rule_id"] == "export.restricted_part"]
    assert len(warnings) == 1
    assert warnings[0]["message"].startswith(f"candidate accelerator {LICENCE_REQUIRED} ")


# --- residency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        {"data_class": "important"},
        {"data_class": "core"},
        {"personal_information": True},
        {"sensitive_personal_information": True},
    ],
)
def test_residency_denies_offshore(client: httpx.Client, context: dict[str, Any]) -> None:
    decision = decide(client, region="sg", **context)
    assert decision["verdict"] == "deny"
    assert "residency.data_export" in rule_ids(decision["violations"], "deny")
    message = next(v for v in decision["violations"] if v["rule_id"] == "residency.data_export")
    assert "sg" in message["message"] and "sg" in message["message_zh"]


@pytest.mark.parametrize("data_class", ["public", "general", "sensitive"])
def test_residency_allows_offshore_without_important_data_or_pi(
    client: httpx.Client, data_class: str
) -> None:
    decision = decide(client, region="sg", data_class=data_class)
    assert "residency.data_export" not in rule_ids(decision["violations"])


def test_residency_allows_core_data_and_pi_in_china(client: httpx.Client) -> None:
    decision = decide(client, data_class="core", personal_information=True)
    assert "residency.data_export" not in rule_ids(decision["violations"])


# --- capacity ----------------------------------------------------------------------------------


def test_no_candidates_denies(client: httpx.Client) -> None:
    decision = decide(client, candidates=[])
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"]) == ["capacity.no_compliant_plan"]
    assert "no feasible plan" in decision["violations"][0]["message"]


def test_only_excluded_candidates_denies(client: httpx.Client) -> None:
    decision = decide(client, candidates=[UNRESTRICTED_FOREIGN, LICENCE_REQUIRED], sector="defense")
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"]) == ["capacity.no_compliant_plan"]
    assert "none of the 2 candidate plans" in decision["violations"][0]["message"]


def test_one_compliant_candidate_allows(client: httpx.Client) -> None:
    decision = decide(client, candidates=[UNRESTRICTED_FOREIGN, DOMESTIC], sector="defense")
    assert "capacity.no_compliant_plan" not in rule_ids(decision["violations"])


def test_unknown_requested_accelerator_denies(client: httpx.Client) -> None:
    decision = decide(client, requested_accelerator="acme-tpu-9")
    assert decision["verdict"] == "deny"
    assert rule_ids(decision["violations"]) == ["hardware.unknown_accelerator"]


# --- obligations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_class", "state_secret", "level"),
    [
        ("public", "none", 2),
        ("general", "none", 2),
        ("sensitive", "none", 3),
        ("important", "none", 3),
        ("core", "none", 4),
        ("public", "secret", 3),
        ("public", "confidential", 4),
        ("public", "top_secret", 5),
    ],
)
def test_mlps_filing_level(
    client: httpx.Client, data_class: str, state_secret: str, level: int
) -> None:
    decision = decide(client, data_class=data_class, state_secret=state_secret)
    mlps = [o for o in decision["obligations"] if o["rule_id"] == "obligations.mlps_filing"]
    assert len(mlps) == 1
    assert f"level {level} " in mlps[0]["message"]


OBLIGATION_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "obligations.classified_protection",
        {"state_secret": "confidential"},
        {"state_secret": "none"},
    ),
    ("obligations.genai_filing", {"public_service": True}, {"public_service": False}),
    (
        "obligations.finance_outsourcing",
        {"sector": "finance", "requested_tier": "vpc"},
        {"sector": "finance", "requested_tier": "bare_metal"},
    ),
    (
        "obligations.finance_outsourcing",
        {"sector": "finance", "data_class": "public"},
        {"sector": "finance", "data_class": "sensitive"},
    ),
    (
        "obligations.government_cloud",
        {"sector": "government"},
        {"sector": "government", "data_class": "important"},
    ),
    (
        "obligations.pipl_sensitive_pi",
        {"sensitive_personal_information": True},
        {"personal_information": True},
    ),
    ("obligations.domestic_host_stack", {"sector": "defense"}, {"sector": "finance"}),
    ("obligations.domestic_host_stack", {"sector": "government"}, {"sector": "healthcare"}),
]


@pytest.mark.parametrize(
    ("rule_id", "present", "absent"),
    OBLIGATION_CASES,
    ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(OBLIGATION_CASES)],
)
def test_obligation(
    client: httpx.Client, rule_id: str, present: dict[str, Any], absent: dict[str, Any]
) -> None:
    with_obligation = decide(client, **present)
    listed = [o for o in with_obligation["obligations"] if o["rule_id"] == rule_id]
    assert len(listed) == 1
    assert listed[0]["message"] and listed[0]["message_zh"]
    assert rule_id not in rule_ids(decide(client, **absent)["obligations"])


def test_obligations_never_block(client: httpx.Client) -> None:
    decision = decide(
        client,
        candidates=[DOMESTIC],
        sector="government",
        public_service=True,
        sensitive_personal_information=True,
    )
    assert len(decision["obligations"]) >= 4
    assert decision["verdict"] == "allow"


# --- catalogue ---------------------------------------------------------------------------------

EXPECTED_RULES = {
    "capacity.no_compliant_plan": ("violation", "deny"),
    "context.evaluation_time_invalid": ("violation", "deny"),
    "domestic.finance_critical": ("violation", "deny"),
    "domestic.finance_phase_in": ("violation", "deny"),
    "domestic.sector_mandate": ("violation", "deny"),
    "domestic.sector_preference": ("violation", "warn"),
    "domestic.state_secret": ("violation", "deny"),
    "export.excluded_part": ("violation", "deny"),
    "export.restricted_part": ("violation", "warn"),
    "hardware.unknown_accelerator": ("violation", "deny"),
    "obligations.classified_protection": ("obligation", "info"),
    "obligations.domestic_host_stack": ("obligation", "info"),
    "obligations.finance_outsourcing": ("obligation", "info"),
    "obligations.genai_filing": ("obligation", "info"),
    "obligations.government_cloud": ("obligation", "info"),
    "obligations.mlps_filing": ("obligation", "info"),
    "obligations.pipl_sensitive_pi": ("obligation", "info"),
    "residency.data_export": ("violation", "deny"),
    "tier.below_minimum": ("violation", "deny"),
    "tier.core_business": ("tier", "info"),
    "tier.personal_information": ("tier", "info"),
    "tier.sector_matrix": ("tier", "info"),
    "tier.state_secret": ("tier", "info"),
}


def test_catalogue(client: httpx.Client) -> None:
    response = client.get("/v1/data/tiergate/main/catalogue")
    response.raise_for_status()
    entries = response.json()["result"]
    assert [e["rule_id"] for e in entries] == sorted(EXPECTED_RULES)
    for entry in entries:
        assert set(entry) == {
            "rule_id",
            "title",
            "description",
            "severity",
            "effective_on",
            "related_resources",
            "kind",
        }
        assert (entry["kind"], entry["severity"]) == EXPECTED_RULES[entry["rule_id"]]
        assert entry["title"] and entry["description"]
        assert entry["related_resources"], entry["rule_id"]
        assert all(r["ref"].startswith("http") for r in entry["related_resources"])
        expected_date = AT_PHASE_IN if entry["rule_id"] == "domestic.finance_phase_in" else None
        assert entry["effective_on"] == expected_date


def test_every_rule_id_in_a_decision_is_in_the_catalogue(client: httpx.Client) -> None:
    known = set(EXPECTED_RULES)
    decision = decide(
        client,
        candidates=[],
        sector="government",
        region="sg",
        data_class="important",
        state_secret="secret",
        public_service=True,
        sensitive_personal_information=True,
        requested_tier="vpc",
        requested_accelerator=PROHIBITED,
        procurement="new",
    )
    mentioned = (
        set(rule_ids(decision["violations"]))
        | set(rule_ids(decision["obligations"]))
        | set(rule_ids(decision["tier"]["basis"]))
        | set(decision["domestic_substitution"]["rule_ids"])
        | {r for e in decision["accelerators"]["excluded"] for r in e["rule_ids"]}
    )
    assert mentioned <= known
    assert len(mentioned) >= 10
