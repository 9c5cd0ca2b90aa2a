"""POST/GET /v1/decisions end to end against the real OPA and a real SQLite file."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.builders import OPA_VERSION, decision_request


def stored_count(client: TestClient) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM decisions")).scalar_one())


def test_create_returns_201_with_a_record_that_is_stored(client: TestClient) -> None:
    response = client.post("/v1/decisions", json=decision_request(data_class="general"))
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["verdict"] in ("allow", "deny")
    assert record["policy"]["engine"] == "opa"
    assert record["policy"]["engine_version"] == OPA_VERSION
    assert len(record["policy"]["revision"]) == 64
    assert record["policy"]["decision_id"]
    assert record["integrity"]["seq"] == 1
    assert record["integrity"]["prev_hash"] == "0" * 64
    assert len(record["integrity"]["hash"]) == 64
    assert stored_count(client) == 1
    fetched = client.get(f"/v1/decisions/{record['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == record


def test_records_are_chained(client: TestClient) -> None:
    first = client.post("/v1/decisions", json=decision_request()).json()
    second = client.post("/v1/decisions", json=decision_request(data_class="core")).json()
    assert second["integrity"]["seq"] == 2
    assert second["integrity"]["prev_hash"] == first["integrity"]["hash"]


def test_finance_core_business_requested_on_vpc_is_denied_with_reasons(
    client: TestClient,
) -> None:
    body = decision_request(data_class="important", core_business=True, requested_tier="vpc")
    record = client.post("/v1/decisions", json=body).json()
    assert record["verdict"] == "deny"
    assert record["tier"]["minimum"] == "bare_metal"
    assert record["tier"]["selected"] == "bare_metal"
    assert any(v["severity"] == "deny" for v in record["violations"])
    assert all(v["message"] and v["message_zh"] for v in record["violations"])
    assert record["domestic_substitution"]["required"] is True
    # the recommendation is the best compliant alternative: a domestic accelerator
    catalogue = client.get("/v1/catalog/accelerators").json()
    domestic = {a["id"] for a in _items(catalogue) if a["domestic"]}
    assert record["recommendation"] is not None
    assert record["recommendation"]["accelerator"] in domestic


def _items(catalogue: Any) -> list[dict[str, Any]]:
    return catalogue["items"] if isinstance(catalogue, dict) else catalogue


def test_unknown_decision_is_404_with_the_error_shape(client: TestClient) -> None:
    response = client.get("/v1/decisions/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_invalid_input_names_the_field(client: TestClient) -> None:
    body = decision_request()
    body["context"]["sector"] = "casino"  # type: ignore[index]
    response = client.post("/v1/decisions", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid_input"
    assert payload["field"] == "context.sector"
    assert stored_count(client) == 0


def test_missing_required_field_is_named(client: TestClient) -> None:
    response = client.post("/v1/decisions", json={"workload": {"task": "lora"}, "context": {}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "context.sector" in fields


def test_request_id_is_echoed_and_recorded(client: TestClient) -> None:
    response = client.post(
        "/v1/decisions", json=decision_request(), headers={"X-Request-ID": "portal-42"}
    )
    assert response.headers["X-Request-ID"] == "portal-42"
    assert response.json()["request_id"] == "portal-42"


def test_request_id_is_made_when_missing_or_unusable(client: TestClient) -> None:
    made = client.post("/v1/decisions", json=decision_request())
    rid = made.headers["X-Request-ID"]
    assert len(rid) == 36
    assert made.json()["request_id"] == rid
    too_long = client.get("/healthz", headers={"X-Request-ID": "x" * 129})
    assert too_long.headers["X-Request-ID"] != "x" * 129


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", "1"])
@pytest.mark.parametrize(
    "where",
    ["personal_information", "sensitive_personal_information", "core_business", "public_service"],
)
def test_booleans_are_json_booleans(client: TestClient, where: str, value: object) -> None:
    """Issue 9 item 9: pydantic's lax mode read "yes" and 1 as true."""
    response = client.post("/v1/decisions", json=decision_request(**{where: value}))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == f"context.{where}"


def test_master_weights_is_a_json_boolean(client: TestClient) -> None:
    body = decision_request()
    body["workload"]["master_weights"] = "yes"  # type: ignore[index]
    response = client.post("/v1/decisions", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "workload.master_weights"
