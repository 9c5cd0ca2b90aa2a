"""Audit events on a real PostgreSQL: the table refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from tests.support.postgres import assert_append_only

pytestmark = pytest.mark.postgres


def test_audit_events_are_append_only_on_postgres(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        assert client.get("/v1/decisions/verify").status_code == 200
        events = client.get("/v1/audit-events").json()["items"]
        assert [e["action"] for e in events] == ["decisions.verify"]
    assert_append_only(postgres_url, "audit_events", update="action = 'nothing'", rows=1)
