"""POST /v1/evaluations (issue 13 item 3): a dry run decides like POST /v1/decisions, at any
evaluation time, stores nothing, and with ?explain=true says for every catalogue rule whether it
fired and, if not, why not — from the policy, against the real OPA."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.auth import service as auth_service
from service.decisions.policy_query import parse_explanations
from service.errors import PolicyEngineUnavailable
from service.main import create_app
from service.opa.client import PolicyAnswer
from service.opa.process import OpaProcess
from service.roles import Role
from tests.conftest import decision_request

RECORD_ONLY = {"id", "integrity"}


def _rows(client: TestClient) -> dict[str, int]:
    with client.app.state.runtime.db.connect() as connection:  # type: ignore[attr-defined]
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("decisions", "audit_events")
        }


def _head(client: TestClient) -> tuple[int, str]:
    checkpoint = client.get("/v1/decisions/checkpoint").json()
    return checkpoint["seq"], checkpoint["hash"]


def _explained(client: TestClient, body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = client.post("/v1/evaluations", params={"explain": "true"}, json=body)
    assert response.status_code == 200, response.text
    return {e["rule_id"]: e for e in response.json()["explanations"]}


def test_a_dry_run_answers_the_decision_shape_and_stores_nothing(client: TestClient) -> None:
    body = decision_request(data_class="important", requested_accelerator="nvidia-h20")
    recorded = client.post("/v1/decisions", json=body).json()
    rows, head = _rows(client), _head(client)

    response = client.post("/v1/evaluations", json=body)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == (set(recorded) - RECORD_ONLY) | {"stored"}
    assert answer["stored"] is False
    assert answer["evaluation_time_source"] == "server"
    for field in (
        "request", "masked_fields", "verdict", "tier", "domestic_substitution", "accelerators",
        "recommendation", "alternatives", "sizing", "violations", "obligations",
    ):  # fmt: skip
        assert answer[field] == recorded[field], field
    assert answer["verdict"] == "deny"  # finance with important data: domestic required
    assert answer["policy"]["revision"] == recorded["policy"]["revision"]
    # no row, no audit event, no chain link
    assert _rows(client) == rows
    assert _head(client) == head
    assert client.get("/v1/decisions").json()["items"] == [recorded]


def test_explain_lists_every_catalogue_rule_once(client: TestClient) -> None:
    catalogue = [rule["rule_id"] for rule in client.get("/v1/policies").json()["rules"]]
    response = client.post(
        "/v1/evaluations", params={"explain": "true"}, json=decision_request(sector="internet")
    )
    assert response.status_code == 200, response.text
    explanations = response.json()["explanations"]
    assert [e["rule_id"] for e in explanations] == sorted(catalogue)
    assert len(explanations) == 32
    for e in explanations:
        if e["fired"]:
            assert e["reason"] is None and e["reason_zh"] is None
        else:
            assert e["reason"] and e["reason_zh"], e["rule_id"]
    # without explain=true there are no explanations (the plain entry point never builds them)
    plain = client.post("/v1/evaluations", json=decision_request(sector="internet")).json()
    assert "explanations" not in plain


def test_a_fired_rule_says_fired_with_its_result(client: TestClient) -> None:
    body = decision_request(sector="internet", requested_accelerator="nvidia-h20")
    answer = client.post("/v1/evaluations", params={"explain": "true"}, json=body).json()
    restricted = {e["rule_id"]: e for e in answer["explanations"]}["export.restricted_part"]
    assert restricted["fired"] is True
    assert restricted["result"]["violations"] == [
        v for v in answer["violations"] if v["rule_id"] == "export.restricted_part"
    ]
    assert restricted["result"]["violations"][0]["severity"] == "warn"
    floors = {e["rule_id"]: e for e in answer["explanations"]}["tier.sector_matrix"]
    assert floors["result"]["tier_floors"] == answer["tier"]["basis"]


def test_an_unfired_rule_gives_a_reason_that_follows_the_input(client: TestClient) -> None:
    domestic = _explained(client, decision_request(requested_accelerator="huawei-ascend-910b3"))
    abroad = _explained(
        client,
        decision_request(
            requested_accelerator="nvidia-h20", region="sg", headquarters="sg", sector="internet"
        ),
    )
    assert domestic["export.restricted_part"] == {
        "rule_id": "export.restricted_part",
        "fired": False,
        "reason": "requested accelerator huawei-ascend-910b3 is domestic: no US export licence "
        "applies",
        "reason_zh": "所申请的加速卡华为昇腾910B3为国产加速卡，不涉及美国出口许可",
        "result": {
            "violations": [],
            "obligations": [],
            "tier_floors": [],
            "excluded_accelerators": [],
            "substitution": None,
        },
    }
    assert abroad["export.restricted_part"]["fired"] is False
    assert abroad["export.restricted_part"]["reason"] == (
        "installed in region sg by a buyer headquartered in sg: the US export rules for China "
        "do not reach it"
    )
    assert abroad["export.restricted_part"]["reason_zh"] == (
        "部署于新加坡，采购方总部位于新加坡：不适用美国对华出口管制规则"
    )


def test_a_dry_run_takes_any_client_time_and_says_so(make_settings) -> None:  # type: ignore[no-untyped-def]
    """A plain submitter may not record a decision at another time (issue 9), but may preview
    one: the dry run says the client set the time, and the dated rule is not yet in force."""
    body = decision_request(public_service=True, evaluation_time="2025-06-01T00:00:00+08:00")
    with TestClient(create_app(make_settings(auth_enabled=True))) as client:
        db = client.app.state.runtime.db  # type: ignore[attr-defined]
        submitter = auth_service.create(db, roles=[Role.submitter], name="portal").key
        client.headers["Authorization"] = f"Bearer {submitter}"
        assert client.post("/v1/decisions", json=body).status_code == 403
        answer = client.post("/v1/evaluations", params={"explain": "true"}, json=body).json()
    assert answer["evaluation_time"] == "2025-06-01T00:00:00+08:00"
    assert answer["evaluation_time_source"] == "client"
    assert answer["submitted_by"]["key_name"] == "portal"
    labelling = {e["rule_id"]: e for e in answer["explanations"]}["obligations.ai_content_labeling"]
    assert labelling["fired"] is False
    assert labelling["reason"] == "not yet in force on 2025-06-01 (in force from 2025-09-01)"
    assert labelling["reason_zh"] == "评估日期2025年6月1日尚未施行（自2025年9月1日起施行）"


@pytest.fixture
def phase_in_2030(opa_on_a_copy) -> Iterator[tuple[OpaProcess, Path]]:  # type: ignore[no-untyped-def]
    """A policy copy in which the AI-content labelling rule phases in on 2030-01-01."""
    process, policies = opa_on_a_copy
    dates = policies / "tiergate" / "reference" / "effective_dates" / "data.json"
    document = json.loads(dates.read_text(encoding="utf-8"))
    document["rules"]["obligations.ai_content_labeling"]["effective_from"] = (
        "2030-01-01T00:00:00+08:00"
    )
    dates.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    yield process, policies


def test_a_future_evaluation_time_previews_a_phase_in(make_settings, phase_in_2030) -> None:  # type: ignore[no-untyped-def]
    process, policies = phase_in_2030
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    today = datetime.now(UTC).date().isoformat()
    with TestClient(create_app(settings)) as client:
        rows = _rows(client)
        now = _explained(client, decision_request(public_service=True))
        later = _explained(
            client,
            decision_request(public_service=True, evaluation_time="2030-06-01T00:00:00+08:00"),
        )
        assert _rows(client) == rows
    labelling = "obligations.ai_content_labeling"
    assert now[labelling]["fired"] is False
    assert now[labelling]["reason"] == f"not yet in force on {today} (in force from 2030-01-01)"
    assert later[labelling]["fired"] is True
    assert later[labelling]["reason"] is None
    assert [o["rule_id"] for o in later[labelling]["result"]["obligations"]] == [labelling]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sector": "casino"}, "context.sector"),
        ({"evaluation_time": "tomorrow"}, "context.evaluation_time"),
        ({"requested_tier": "mainframe"}, "context.requested_tier"),
    ],
)
def test_bad_input_is_422_naming_the_field_as_for_decisions(
    client: TestClient, change: dict[str, object], field: str
) -> None:
    body = decision_request(**change)
    for path in ("/v1/evaluations", "/v1/decisions"):
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"] == "invalid_input"
        assert response.json()["field"] == field


def test_an_unknown_field_is_422(client: TestClient) -> None:
    body = decision_request()
    body["store"] = False
    response = client.post("/v1/evaluations", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "store"


def test_opa_down_is_503_and_never_allow(make_settings, opa_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    process, policies = opa_on_a_copy
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/evaluations", json=decision_request()).status_code == 200
        process.stop()
        for params in ({}, {"explain": "true"}):
            response = client.post("/v1/evaluations", params=params, json=decision_request())
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "policy_engine_unavailable"
            assert "verdict" not in response.json()


def test_explanations_of_the_wrong_shape_are_an_engine_failure() -> None:
    answer = PolicyAnswer(
        result={}, decision_id=None, revision="r", engine_version="1", explanations=[{"x": 1}]
    )
    with pytest.raises(PolicyEngineUnavailable, match="explanations of the wrong shape"):
        parse_explanations(answer)


def test_only_submitters_may_dry_run(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(auth_enabled=True))) as client:
        db = client.app.state.runtime.db  # type: ignore[attr-defined]
        auditor = auth_service.create(db, roles=[Role.auditor], name="a").key
        response = client.post(
            "/v1/evaluations",
            json=decision_request(),
            headers={"Authorization": f"Bearer {auditor}"},
        )
        assert response.status_code == 403
        assert client.post("/v1/evaluations", json=decision_request()).status_code == 401
