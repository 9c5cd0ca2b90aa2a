"""Who asked is sealed into every record; audited operations leave an audit event."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.decisions import chain
from service.roles import Role
from tests.conftest import decision_request


def _key(client: TestClient, *roles: Role, name: str) -> str:
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    return auth_service.create(db, roles=list(roles), name=name).key


def test_submitted_by_is_sealed_into_the_record(client: TestClient) -> None:
    key = _key(client, Role.submitter, name="procurement-portal")
    created = client.post(
        "/v1/decisions", json=decision_request(), headers={"Authorization": f"Bearer {key}"}
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["submitted_by"] == {"key_id": key.split(".")[0], "key_name": "procurement-portal"}
    # inside the hashed content: editing it breaks the hash
    assert chain.record_hash(chain.content_of(record)) == record["integrity"]["hash"]
    forged = {**record, "submitted_by": {"key_id": "tgk_00000000", "key_name": "someone"}}
    assert chain.record_hash(chain.content_of(forged)) != record["integrity"]["hash"]
    stored = client.get(f"/v1/decisions/{record['id']}").json()
    assert stored["submitted_by"] == record["submitted_by"]


def test_submitted_by_is_null_with_authentication_off(make_settings) -> None:  # type: ignore[no-untyped-def]
    from service.main import create_app

    with TestClient(create_app(make_settings())) as client:
        record = client.post("/v1/decisions", json=decision_request()).json()
    assert record["submitted_by"] == {"key_id": None, "key_name": None}


def test_audited_operations_write_events_with_who_and_parameters(client: TestClient) -> None:
    auditor = _key(client, Role.auditor, name="external auditor")
    headers = {"Authorization": f"Bearer {auditor}"}
    record = client.post("/v1/decisions", json=decision_request()).json()
    assert client.get("/v1/decisions/export?format=csv", headers=headers).status_code == 200
    assert client.get("/v1/decisions/verify", headers=headers).status_code == 200
    replay = client.post(f"/v1/decisions/{record['id']}/replay", headers=headers)
    assert replay.status_code == 200
    created = client.post("/v1/keys/api", json={"roles": ["submitter"], "name": "portal"})
    assert created.status_code == 201
    revoked = client.delete(f"/v1/keys/api/{created.json()['key_id']}")
    assert revoked.status_code == 200
    # not audited: a plain read of one record
    assert client.get(f"/v1/decisions/{record['id']}", headers=headers).status_code == 200

    page = client.get("/v1/audit-events", headers=headers).json()
    events = list(reversed(page["items"]))
    assert [e["action"] for e in events] == [
        "decisions.export",
        "decisions.verify",
        "decisions.replay",
        "keys.create",
        "keys.revoke",
    ]
    auditor_id = auditor.split(".")[0]
    assert events[0]["key_id"] == auditor_id
    assert events[0]["key_name"] == "external auditor"
    assert events[0]["parameters"] == {"format": "csv"}
    assert events[2]["parameters"] == {"decision_id": record["id"]}
    assert events[3]["parameters"] == {"roles": ["submitter"], "name": "portal"}
    assert "key" not in events[3]["parameters"]
    assert events[4]["parameters"] == {"key_id": created.json()["key_id"]}
    assert all(e["request_id"] for e in events)


def test_audit_events_filters_and_cursor(client: TestClient) -> None:
    for _ in range(3):
        client.get("/v1/decisions/verify")
    client.get("/v1/decisions/export")
    only_verify = client.get("/v1/audit-events?action=decisions.verify&limit=2").json()
    assert [e["action"] for e in only_verify["items"]] == ["decisions.verify"] * 2
    assert only_verify["next_cursor"] is not None
    rest = client.get(
        f"/v1/audit-events?action=decisions.verify&limit=2&cursor={only_verify['next_cursor']}"
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    seqs = [e["seq"] for e in only_verify["items"] + rest["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 3
    assert client.get("/v1/audit-events?since=2999-01-01T00:00:00Z").json()["items"] == []
    bad = client.get("/v1/audit-events?key_id=nope")
    assert bad.status_code == 422 and "key_id" in bad.text


def test_audit_events_need_the_auditor_role(client: TestClient) -> None:
    submitter = _key(client, Role.submitter, name="portal")
    answer = client.get("/v1/audit-events", headers={"Authorization": f"Bearer {submitter}"})
    assert answer.status_code == 403
