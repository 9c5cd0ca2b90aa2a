"""Approved exceptions end to end: the API, the exception log and the real OPA (issue 15)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.builders import decision_request

# Finance, general data, shared cloud requested: tier.below_minimum denies (minimum vpc).
CLOUD = {"requested_tier": "shared_cloud"}


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def exception_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rule_id": "tier.below_minimum",
        "scope": {"sector": "finance", "organization": "example-bank", "tier": "shared_cloud"},
        "reason": "Machine room under construction; shared cloud until it is accepted.",
        "approved_by": "王立（首席风险官）",
        "reference": "风控委〔2026〕17号",
        "valid_from": stamp(now() - timedelta(days=1)),
        "expires_at": stamp(now() + timedelta(days=90)),
    }
    body.update(changes)
    return body


def grant(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/v1/exceptions", json=exception_body(**changes))
    assert response.status_code == 201, response.text
    return dict(response.json())


def decide(client: TestClient, **context: Any) -> dict[str, Any]:
    response = client.post("/v1/decisions", json=decision_request(**{**CLOUD, **context}))
    assert response.status_code == 201, response.text
    return dict(response.json())


def below_minimum(record: dict[str, Any]) -> dict[str, Any]:
    (violation,) = [v for v in record["violations"] if v["rule_id"] == "tier.below_minimum"]
    return dict(violation)


def test_without_an_exception_the_cloud_request_is_denied(client: TestClient) -> None:
    record = decide(client)
    assert record["verdict"] == "deny"
    assert "excepted" not in below_minimum(record)
    # a record without exceptions keeps the shape of records sealed before they existed
    assert "exceptions_considered" not in record
    assert "exceptions_applied" not in record


def test_an_exception_turns_deny_into_allow_with_the_violation_listed_and_marked(
    client: TestClient,
) -> None:
    exception = grant(client)
    assert exception["kind"] == "exception"
    assert exception["scope"]["organization"].startswith("hmac-sha256:")  # never in clear
    assert exception["masked_fields"] == ["scope.organization"]
    assert exception["integrity"]["seq"] == 1
    record = decide(client)
    assert record["verdict"] == "allow"
    assert below_minimum(record)["excepted"] == {
        "exception_id": exception["id"],
        "expires_at": exception["expires_at"],
    }
    assert below_minimum(record)["severity"] == "deny"
    (considered,) = record["exceptions_considered"]
    assert considered["id"] == exception["id"]
    assert considered["entry_hash"] == exception["integrity"]["hash"]
    (applied,) = record["exceptions_applied"]
    assert applied["exception_id"] == exception["id"]
    assert applied["rule_ids"] == ["tier.below_minimum"]
    assert applied["message_zh"].endswith("失效")
    assert client.get("/v1/decisions/verify").json()["ok"] is True


@pytest.mark.parametrize(
    "scope",
    [
        {"sector": "healthcare"},
        {"organization": "another-bank"},
        {"workload_name": "another-workload"},
        {"accelerator": "nvidia-h20"},
        {"tier": "vpc"},
    ],
)
def test_an_exception_out_of_scope_does_not_apply(
    client: TestClient, scope: dict[str, str]
) -> None:
    grant(client, scope=scope)
    record = decide(client)
    assert record["verdict"] == "deny"
    assert "excepted" not in below_minimum(record)
    assert record["exceptions_applied"] == []  # considered (active), but not in scope


def test_an_exception_not_yet_valid_does_not_apply(client: TestClient) -> None:
    grant(client, valid_from=stamp(now() + timedelta(days=1)))
    record = decide(client)
    assert record["verdict"] == "deny"
    assert "exceptions_considered" not in record


def test_an_expired_exception_does_not_apply(client: TestClient) -> None:
    grant(client, expires_at=stamp(now() + timedelta(days=1)))
    # a key with role backdate decides as of the day after it expired
    record = decide(client, evaluation_time=stamp(now() + timedelta(days=2)))
    assert record["verdict"] == "deny"
    assert "exceptions_considered" not in record


def test_a_revoked_exception_does_not_apply(client: TestClient) -> None:
    exception = grant(client)
    assert decide(client)["verdict"] == "allow"
    revoked = client.post(
        f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "machine room accepted"}
    )
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["kind"] == "revocation"
    assert revoked.json()["exception_id"] == exception["id"]
    assert decide(client)["verdict"] == "deny"
    again = client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "twice"})
    assert again.status_code == 409
    unknown = client.post("/v1/exceptions/no-such-id/revoke", json={"reason": "x"})
    assert unknown.status_code == 404


@pytest.mark.parametrize("rule_id", ["domestic.state_secret", "export.excluded_part"])
def test_a_non_exceptable_rule_refuses_an_exception_with_400(
    client: TestClient, rule_id: str
) -> None:
    response = client.post("/v1/exceptions", json=exception_body(rule_id=rule_id))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "not_exceptable"
    assert body["field"] == "rule_id"
    assert "custom.exceptable false" in body["detail"]
    assert "the law itself" in body["detail"]
    assert client.get("/v1/exceptions").json()["items"] == []


def test_a_state_secret_workload_is_never_excepted_below_its_classified_minimum(
    client: TestClient,
) -> None:
    grant(client)
    record = decide(client, state_secret="secret")
    assert record["verdict"] == "deny"
    assert "excepted" not in below_minimum(record)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"rule_id": "tier.no_such_rule"}, "rule_id", "unknown rule_id"),
        ({"rule_id": "tier.state_secret"}, "rule_id", "not_exceptable"),
        ({"rule_id": "obligations.mlps_filing"}, "rule_id", "never denies"),
        ({"scope": {}}, "scope", "at least one"),
        ({"expires_at": None}, "expires_at", ""),
        ({"expires_at": "2027-01-01"}, "expires_at", ""),
        ({"expires_at": stamp(now() - timedelta(days=3))}, "expires_at", "after valid_from"),
        (
            {
                "expires_at": stamp(now() - timedelta(minutes=5)),
                "valid_from": stamp(now() - timedelta(days=3)),
            },
            "expires_at",
            "already past",
        ),
        ({"expires_at": stamp(now() + timedelta(days=400))}, "expires_at", "366 days"),
        ({"expires_at": "2027-01-01T00:00:00.5Z"}, "expires_at", "whole seconds"),
        ({"reference": ""}, "reference", ""),
        ({"approved_by": ""}, "approved_by", ""),
        ({"scope": {"region": "cn"}}, "scope.region", ""),
    ],
)
def test_bad_exceptions_are_refused_naming_the_field(
    client: TestClient, changes: dict[str, Any], field: str, words: str
) -> None:
    body = exception_body(**changes)
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/v1/exceptions", json=body)
    assert response.status_code in (400, 422), response.text
    assert response.json()["field"] == field
    assert words in response.text


def test_the_maximum_validity_is_configurable(make_settings) -> None:  # type: ignore[no-untyped-def]
    from service.main import create_app

    with TestClient(create_app(make_settings(exception_max_days=30))) as client:
        response = client.post(
            "/v1/exceptions", json=exception_body(expires_at=stamp(now() + timedelta(days=31)))
        )
        assert response.status_code == 422
        assert "30 days" in response.json()["detail"]


def test_replay_after_expiry_reproduces_the_original_record(client: TestClient) -> None:
    expires = now() + timedelta(seconds=3)
    exception = grant(client, expires_at=stamp(expires))
    record = decide(client)
    assert record["verdict"] == "allow"
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.5)
    assert decide(client)["verdict"] == "deny"  # expired for new decisions
    # and revoked too: the store no longer holds it as active in any sense
    client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "done"})
    report = client.post(f"/v1/decisions/{record['id']}/replay")
    assert report.status_code == 200, report.text
    assert report.json()["changed"] is False, report.json()


def test_listing_filters_by_active_at_expiring_before_and_rule_id(client: TestClient) -> None:
    soon = grant(client, expires_at=stamp(now() + timedelta(days=10)))
    later = grant(client, expires_at=stamp(now() + timedelta(days=200)))
    future = grant(client, valid_from=stamp(now() + timedelta(days=5)))
    other = grant(client, rule_id="domestic.sector_mandate", scope={"sector": "government"})
    client.post(f"/v1/exceptions/{other['id']}/revoke", json={"reason": "withdrawn"})

    def ids(**query: str) -> list[str]:
        response = client.get("/v1/exceptions", params=query)
        assert response.status_code == 200, response.text
        return [item["exception"]["id"] for item in response.json()["items"]]

    assert ids() == [other["id"], future["id"], later["id"], soon["id"]]
    assert ids(active_at=stamp(now() + timedelta(minutes=1))) == [later["id"], soon["id"]]
    # as of before the revocation, the revoked one was active too
    assert ids(active_at=stamp(now() - timedelta(hours=1))) == [
        other["id"],
        later["id"],
        soon["id"],
    ]
    assert ids(expiring_before=stamp(now() + timedelta(days=30))) == [soon["id"]]
    assert ids(rule_id="domestic.sector_mandate") == [other["id"]]
    items = {i["exception"]["id"]: i for i in client.get("/v1/exceptions").json()["items"]}
    assert items[other["id"]]["status"] == "revoked"
    assert items[other["id"]]["revocation"]["reason"] == "withdrawn"
    assert items[future["id"]]["status"] == "pending"
    assert items[soon["id"]]["status"] == "active"


def test_only_approvers_record_exceptions_and_auditors_read_them(client: TestClient) -> None:
    from service.auth import service as auth_service
    from service.roles import Role

    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    keys = {role: auth_service.create(db, roles=[role], name=role.value).key for role in Role}

    def as_role(role: Role, method: str, path: str, **kwargs: Any) -> int:
        headers = {"Authorization": f"Bearer {keys[role]}"}
        return client.request(method, path, headers=headers, **kwargs).status_code

    assert as_role(Role.submitter, "POST", "/v1/exceptions", json=exception_body()) == 403
    assert as_role(Role.auditor, "POST", "/v1/exceptions", json=exception_body()) == 403
    assert as_role(Role.approver, "POST", "/v1/exceptions", json=exception_body()) == 201
    assert as_role(Role.auditor, "GET", "/v1/exceptions") == 200
    assert as_role(Role.approver, "GET", "/v1/exceptions") == 200
    assert as_role(Role.submitter, "GET", "/v1/exceptions") == 403


def _sql(client: TestClient, statement: str) -> None:
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    with db.begin() as connection:
        connection.execute(text(statement))


def test_a_tampered_exception_entry_fails_verification(client: TestClient) -> None:
    exception = grant(client)
    decide(client)
    assert client.get("/v1/decisions/verify").json()["ok"] is True
    # SQLite has no append-only trigger: someone with the file rewrites who approved it
    _sql(client, "UPDATE exception_entries SET body = replace(body, '王立', '张三')")
    report = client.get("/v1/decisions/verify").json()
    assert report["ok"] is False
    assert report["exceptions"]["ok"] is False
    assert report["exceptions"]["first_bad_id"] == exception["id"]
    assert "hash does not match" in report["exceptions"]["reason"]
    assert report["reason"].startswith("exception log: ")
    # and no decision is made on an edited exception (fail closed)
    response = client.post("/v1/decisions", json=decision_request(**CLOUD))
    assert response.status_code == 503
    assert "does not match its hash" in response.json()["detail"]


def test_an_edited_index_column_fails_verification(client: TestClient) -> None:
    exception = grant(client)
    _sql(client, "UPDATE exception_entries SET expires_at = '2030-01-01 00:00:00.000000'")
    report = client.get("/v1/decisions/verify").json()
    assert report["exceptions"]["ok"] is False
    assert report["exceptions"]["first_bad_id"] == exception["id"]
    assert "column expires_at" in report["exceptions"]["reason"]


def test_a_deleted_revocation_fails_verification(client: TestClient) -> None:
    exception = grant(client)
    client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "withdrawn"})
    _sql(client, "DELETE FROM exception_entries WHERE kind = 'revocation'")
    report = client.get("/v1/decisions/verify").json()
    assert report["ok"] is False
    assert "tail removed" in report["exceptions"]["reason"]


def test_a_record_citing_an_unknown_exception_fails_verification(client: TestClient) -> None:
    grant(client)
    record = decide(client)
    # the exception log replaced wholesale (the entry the record cites is gone)
    _sql(client, "DELETE FROM exception_entries")
    _sql(client, "UPDATE exception_chain_head SET seq = 0, hash = '" + "0" * 64 + "'")
    report = client.get("/v1/decisions/verify").json()
    assert report["ok"] is False
    assert report["first_bad_id"] == record["id"]
    assert "which the exception log does not hold" in report["reason"]


def test_a_dry_run_considers_the_exceptions_a_decision_would(client: TestClient) -> None:
    """A portal previewing a request sees what the recorded decision will say: the same
    exceptions considered and applied, and nothing stored."""
    before = client.post("/v1/evaluations", json=decision_request(**CLOUD)).json()
    assert before["verdict"] == "deny"
    exception = grant(client)
    preview = client.post("/v1/evaluations", json=decision_request(**CLOUD)).json()
    assert preview["stored"] is False
    assert preview["verdict"] == "allow"
    assert below_minimum(preview)["excepted"]["exception_id"] == exception["id"]
    assert [a["exception_id"] for a in preview["exceptions_applied"]] == [exception["id"]]
    # after it expires (a future evaluation_time), the preview is denied again
    later = decision_request(**CLOUD, evaluation_time=stamp(now() + timedelta(days=91)))
    assert client.post("/v1/evaluations", json=later).json()["verdict"] == "deny"
    assert client.get("/v1/decisions").json()["items"] == []


def test_records_and_entries_with_exceptions_match_their_published_models(
    client: TestClient,
) -> None:
    import json

    import jsonschema_rs

    from service.exceptions.models import ExceptionEntry, ExceptionPage, RevocationEntry
    from service.settings import PROJECT_ROOT

    exception = grant(client)
    record = decide(client)
    revocation = client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "x"})
    schema = json.loads((PROJECT_ROOT / "schemas" / "decision-record.json").read_text())
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(record)]
    assert not errors, errors
    assert {"exceptions_considered", "exceptions_applied"} <= set(schema["properties"])
    ExceptionEntry.model_validate(exception)
    RevocationEntry.model_validate(revocation.json())
    ExceptionPage.model_validate(client.get("/v1/exceptions").json())
