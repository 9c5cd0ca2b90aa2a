"""Who sets the evaluation time (issue 9 item 3): the server for recorded decisions; a client
within the allowed skew, or a key with role backdate; replays keep the stored time; times the
policy engine cannot read are refused as input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.decisions import repository
from service.roles import Role
from tests.conftest import decision_request


@pytest.fixture
def app_client(make_settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from service.main import create_app

    with TestClient(create_app(make_settings(auth_enabled=True))) as client:
        yield client


def _key(client: TestClient, *roles: Role) -> dict[str, str]:
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    key = auth_service.create(db, roles=list(roles), name="t").key
    return {"Authorization": f"Bearer {key}"}


def _post(client: TestClient, headers: dict[str, str], evaluation_time: object) -> object:
    return client.post(
        "/v1/decisions",
        json=decision_request(sector="finance", evaluation_time=evaluation_time),
        headers=headers,
    )


def _stored(client: TestClient) -> int:
    return repository.count(client.app.state.runtime.db)  # type: ignore[attr-defined]


def test_a_decision_without_a_time_is_made_at_the_server_clock(app_client: TestClient) -> None:
    body = decision_request()
    response = app_client.post("/v1/decisions", json=body, headers=_key(app_client, Role.submitter))
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["evaluation_time_source"] == "server"
    assert record["evaluation_time"] == record["created_at"]


def test_a_backdated_time_is_refused_to_a_plain_submitter(app_client: TestClient) -> None:
    """Before issue 9 a submitter could decide at 2026-01-01 to dodge a rule phasing in later."""
    response = _post(app_client, _key(app_client, Role.submitter), "2026-01-01T00:00:00+08:00")
    assert response.status_code == 403, response.text
    assert response.json()["field"] == "context.evaluation_time"
    assert "role backdate" in response.json()["detail"]
    assert _stored(app_client) == 0


def test_a_time_within_the_skew_is_the_clients_to_send(app_client: TestClient) -> None:
    sent = (datetime.now(UTC) - timedelta(minutes=2)).replace(microsecond=0)
    response = _post(app_client, _key(app_client, Role.submitter), sent.isoformat())
    assert response.status_code == 201, response.text
    record = response.json()
    assert datetime.fromisoformat(record["evaluation_time"]) == sent
    assert record["evaluation_time_source"] == "client"


def test_the_skew_is_a_setting(make_settings) -> None:  # type: ignore[no-untyped-def]
    from service.main import create_app

    settings = make_settings(auth_enabled=True, evaluation_time_skew_seconds=1)
    with TestClient(create_app(settings)) as client:
        sent = datetime.now(UTC) - timedelta(seconds=30)
        response = _post(client, _key(client, Role.submitter), sent.isoformat())
        assert response.status_code == 403, response.text
        assert "more than 1 s" in response.json()["detail"]


def test_a_backdate_key_decides_at_its_time_and_the_record_says_so(
    app_client: TestClient,
) -> None:
    headers = _key(app_client, Role.submitter, Role.backdate)
    response = _post(app_client, headers, "2026-01-01T00:00:00+08:00")
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["evaluation_time"] == "2026-01-01T00:00:00+08:00"
    assert record["evaluation_time_source"] == "client"  # sealed: part of the hashed body
    row = repository.get(app_client.app.state.runtime.db, record["id"])  # type: ignore[attr-defined]
    assert row is not None and '"evaluation_time_source":"client"' in row.body

    auditor = _key(app_client, Role.auditor)
    replay = app_client.post(f"/v1/decisions/{record['id']}/replay", headers=auditor)
    assert replay.status_code == 200, replay.text
    assert replay.json()["evaluation_time"] == "2026-01-01T00:00:00+08:00"
    assert replay.json()["changed"] is False


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2262-04-12T00:00:00Z", "years 1678 to 2261"),
        ("0001-01-01T00:00:00Z", "years 1678 to 2261"),
        ("9999-12-31T23:59:59-14:00", "years 1678 to 2261"),
        (1764547200, "RFC 3339"),
        (1764547200.5, "RFC 3339"),
        ("1764547200", "RFC 3339"),
        ("0.5", "RFC 3339"),
        (True, "RFC 3339"),
        ("2026-12-01", "RFC 3339"),
        ("2026-12-01T00:00:00", "RFC 3339"),
    ],
)
def test_a_time_the_policy_cannot_read_is_422_naming_the_field(
    app_client: TestClient, value: object, reason: str
) -> None:
    """Even a backdate key: beyond the int64-nanosecond range the Rego parse is undefined and a
    phase-in would read as never in force."""
    response = _post(app_client, _key(app_client, Role.submitter, Role.backdate), value)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "context.evaluation_time"
    assert reason in response.json()["detail"]
    assert _stored(app_client) == 0


def test_the_cli_creates_a_backdate_key(tmp_path: Path) -> None:
    from tests.auth.test_cli import run

    result = run(["create", "--role", "submitter", "--role", "backdate"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "roles: submitter backdate" in result.stdout
