"""Audit events on a real PostgreSQL: the table refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from service.main import create_app

pytestmark = pytest.mark.postgres


def test_audit_events_are_append_only_on_postgres(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        assert client.get("/v1/decisions/verify").status_code == 200
        events = client.get("/v1/audit-events").json()["items"]
        assert [e["action"] for e in events] == ["decisions.verify"]
    engine = create_engine(postgres_url)
    try:
        for statement in (
            "UPDATE audit_events SET action = 'nothing'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 1
    finally:
        engine.dispose()
