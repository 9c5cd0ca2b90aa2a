"""The exception log on a real PostgreSQL: the same code, and a table that refuses edits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from tests.conftest import decision_request
from tests.support.postgres import assert_append_only

from .test_routes import CLOUD, exception_body

pytestmark = pytest.mark.postgres


def test_exceptions_on_postgres_apply_and_verify(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        created = client.post("/v1/exceptions", json=exception_body())
        assert created.status_code == 201, created.text
        exception = created.json()
        record = client.post("/v1/decisions", json=decision_request(**CLOUD)).json()
        assert record["verdict"] == "allow"
        assert record["exceptions_applied"][0]["exception_id"] == exception["id"]
        revoked = client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "done"})
        assert revoked.status_code == 201
        again = client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "twice"})
        assert again.status_code == 409  # the unique index on PostgreSQL too
        assert client.post("/v1/decisions", json=decision_request(**CLOUD)).json()["verdict"] == (
            "deny"
        )
        report = client.get("/v1/decisions/verify").json()
        assert report["ok"] is True, report
        assert report["exceptions"]["checked"] == 2


def test_postgres_exception_table_refuses_update_and_delete(
    make_settings, postgres_url: str
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        assert client.post("/v1/exceptions", json=exception_body()).status_code == 201
    assert_append_only(
        postgres_url, "exception_entries", update="expires_at = '2030-01-01T00:00:00Z'", rows=1
    )
