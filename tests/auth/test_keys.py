"""API keys and roles over HTTP: 401 without a valid key, 403 for the wrong role, admin routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.auth.access import access_table, required_roles
from service.main import create_app
from service.roles import Role, requires
from tests.conftest import decision_request


@pytest.fixture
def app_client(make_settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Authentication on, no default key: each test sends the key it means to."""
    with TestClient(create_app(make_settings(auth_enabled=True))) as test_client:
        yield test_client


def make_key(client: TestClient, *roles: Role) -> str:
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    return auth_service.create(db, roles=roles, name="t").key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text


def test_missing_key_is_401_with_challenge(app_client: TestClient) -> None:
    response = app_client.post("/v1/decisions", json=decision_request())
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer tgk_00000000.not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "nope"},
        {"X-API-Key": "x" * 500},
    ],
)
def test_bad_key_is_401(app_client: TestClient, headers: dict[str, str]) -> None:
    assert_error(app_client.get("/v1/decisions", headers=headers), 401, "unauthorized")


def test_wrong_role_is_403_and_right_role_passes(app_client: TestClient) -> None:
    submitter = make_key(app_client, Role.submitter)
    auditor = make_key(app_client, Role.auditor)
    assert_error(app_client.get("/v1/decisions", headers=bearer(submitter)), 403, "forbidden")
    assert_error(
        app_client.post("/v1/decisions", json=decision_request(), headers=bearer(auditor)),
        403,
        "forbidden",
    )
    assert_error(app_client.get("/v1/keys/api", headers=bearer(auditor)), 403, "forbidden")
    created = app_client.post("/v1/decisions", json=decision_request(), headers=bearer(submitter))
    assert created.status_code == 201, created.text
    decision_id = created.json()["id"]
    assert (
        app_client.get(f"/v1/decisions/{decision_id}", headers=bearer(auditor)).status_code == 200
    )
    assert app_client.get("/v1/decisions/verify", headers=bearer(auditor)).json()["ok"] is True
    assert app_client.get("/v1/policies", headers=bearer(auditor)).status_code == 200


def test_x_api_key_header_and_several_roles(app_client: TestClient) -> None:
    both = make_key(app_client, Role.submitter, Role.auditor)
    headers = {"X-API-Key": both}
    assert (
        app_client.post("/v1/decisions", json=decision_request(), headers=headers).status_code
        == 201
    )
    assert app_client.get("/v1/decisions", headers=headers).status_code == 200


def test_open_endpoints_need_no_key(app_client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/v1/catalog/accelerators", "/v1/keys"):
        assert app_client.get(path).status_code == 200, path


def test_admin_creates_lists_and_revokes_keys(app_client: TestClient) -> None:
    admin = bearer(make_key(app_client, Role.admin))
    created = app_client.post(
        "/v1/keys/api", json={"roles": ["auditor"], "name": "audit team"}, headers=admin
    )
    assert created.status_code == 201, created.text
    body = created.json()
    key, key_id = body["key"], body["key_id"]
    assert key.startswith(key_id + ".")
    assert body["roles"] == ["auditor"]
    assert app_client.get("/v1/decisions", headers=bearer(key)).status_code == 200

    listed = app_client.get("/v1/keys/api", headers=admin).json()["items"]
    mine = next(k for k in listed if k["key_id"] == key_id)
    assert mine["name"] == "audit team" and mine["revoked_at"] is None
    assert all("key" not in k and "key_sha256" not in k for k in listed)
    assert key not in app_client.get("/v1/keys/api", headers=admin).text

    revoked = app_client.delete(f"/v1/keys/api/{key_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_error(app_client.get("/v1/decisions", headers=bearer(key)), 401, "unauthorized")
    assert_error(app_client.delete("/v1/keys/api/tgk_00000000", headers=admin), 404, "not_found")


def test_create_key_rejects_unknown_role_and_empty_roles(app_client: TestClient) -> None:
    admin = bearer(make_key(app_client, Role.admin))
    for roles in (["root"], []):
        response = app_client.post("/v1/keys/api", json={"roles": roles}, headers=admin)
        assert_error(response, 422, "invalid_input")
        assert response.json()["field"].startswith("roles")


def test_only_the_hash_is_stored(app_client: TestClient) -> None:
    from sqlalchemy import text

    key = make_key(app_client, Role.auditor)
    with app_client.app.state.runtime.db.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(text("SELECT * FROM api_keys")).all()
    dumped = repr(rows)
    assert key not in dumped and key.split(".", 1)[1] not in dumped
    assert auth_service.hash_key(key) in dumped


def test_auth_disabled_lets_requests_through(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(auth_enabled=False))) as client:
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201


def test_every_protected_operation_has_an_access_rule() -> None:
    """Deny by default works, but a forgotten rule should fail here, not in production.
    An operation needs a key exactly when OpenAPI lists a security requirement for it."""
    app = create_app()
    document = app.openapi()
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    protected = {op for op, spec in operations.items() if spec.get("security")}
    missing = {op for op in protected if required_roles(app.routes, *op) is None}
    assert not missing, f"operations without an access rule: {sorted(missing)}"
    assert set(operations) - protected == {
        ("GET", "/v1/keys"),
        ("GET", "/v1/catalog/accelerators"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
    }
    assert set(access_table(app.routes)) == protected  # no rule on an open route either


def test_the_access_table_is_the_roles_the_routes_declare() -> None:
    """The rules as they stood when they were a hand-written table (issue 11 item 4), and the
    revision archive and impact analysis (issue 13): auditors and policy authors read the
    archive, policy authors run impact jobs."""
    submitter, auditor, admin = ({role} for role in (Role.submitter, Role.auditor, Role.admin))
    archive_readers = {Role.auditor, Role.policy_author}
    author = {Role.policy_author}
    approver = {Role.approver}
    assert access_table(create_app().routes) == {
        ("POST", "/v1/exceptions"): approver,
        ("POST", "/v1/exceptions/{exception_id}/revoke"): approver,
        ("GET", "/v1/exceptions"): auditor | approver,
        ("GET", "/v1/exceptions/export"): auditor,
        ("POST", "/v1/decisions"): submitter,
        ("POST", "/v1/evaluations"): submitter,
        ("POST", "/v1/sizing"): submitter,
        ("GET", "/v1/decisions"): auditor,
        ("GET", "/v1/decisions/verify"): auditor,
        ("GET", "/v1/decisions/checkpoint"): auditor,
        ("GET", "/v1/decisions/export"): auditor,
        ("GET", "/v1/decisions/{decision_id}"): auditor,
        ("POST", "/v1/decisions/{decision_id}/replay"): auditor,
        ("GET", "/v1/policies"): auditor,
        ("GET", "/v1/policies/revisions"): archive_readers,
        ("GET", "/v1/policies/revisions/{revision}"): archive_readers,
        ("GET", "/v1/policies/revisions/{revision}/bundle"): archive_readers,
        ("GET", "/v1/audit-events"): auditor,
        ("GET", "/v1/evidence"): auditor,
        ("POST", "/v1/impact"): author,
        ("GET", "/v1/impact/{job}"): author,
        ("GET", "/v1/impact/{job}/changes.csv"): author,
        ("DELETE", "/v1/impact/{job}"): author,
        ("POST", "/v1/keys/api"): admin,
        ("GET", "/v1/keys/api"): admin,
        ("DELETE", "/v1/keys/api/{key_id}"): admin,
    }


def test_a_new_protected_route_is_refused_until_it_declares_roles(make_settings) -> None:  # type: ignore[no-untyped-def]
    """Deny by default: a route on a protected router without requires() is 403 to every key;
    with requires() it is open to exactly those roles, with no table to edit."""
    from fastapi import APIRouter

    from service.auth.access import AUTHORIZE

    extra = APIRouter(prefix="/v1/extra")

    @extra.get("/undeclared")
    async def undeclared() -> dict[str, str]:
        return {}

    @extra.get("/declared", dependencies=[requires(Role.auditor)])
    async def declared() -> dict[str, str]:
        return {}

    app = create_app(make_settings(auth_enabled=True))
    app.include_router(extra, dependencies=[AUTHORIZE])
    with TestClient(app) as client:
        everything = bearer(make_key(client, *Role))
        refused = client.get("/v1/extra/undeclared", headers=everything)
        assert refused.status_code == 403
        assert "no access rule" in refused.json()["detail"]
        assert client.get("/v1/extra/declared", headers=everything).status_code == 200
        submitter = bearer(make_key(client, Role.submitter))
        assert client.get("/v1/extra/declared", headers=submitter).status_code == 403


def test_openapi_documents_401_403_on_protected_operations() -> None:
    document = create_app().openapi()
    post = document["paths"]["/v1/decisions"]["post"]
    assert {"400", "401", "403", "413", "422", "429"} <= set(post["responses"])
    assert "504" in document["paths"]["/v1/decisions"]["get"]["responses"]
    assert post["security"]
    assert "401" not in document["paths"]["/healthz"]["get"]["responses"]


def test_an_unauthenticated_request_is_refused_before_its_body_is_read(
    app_client: TestClient,
) -> None:
    """Issue 9 item 10: the body was parsed first, so garbage without a key was a 422."""
    for headers in ({}, {"Authorization": "Bearer tgk_00000000.nope"}):
        response = app_client.post(
            "/v1/decisions",
            content=b"{not json" * 1000,
            headers={"Content-Type": "application/json", **headers},
        )
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_keys_are_rate_limited_by_client_address(make_settings) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 item 10: each made-up key cost a database read, without limit."""
    from service.main import create_app

    settings = make_settings(auth_enabled=True, rate_limit_per_second=1, rate_limit_burst=3)
    with TestClient(create_app(settings)) as client:
        statuses = [
            client.get("/v1/decisions", headers={"X-API-Key": f"tgk_{n:08x}.guess"}).status_code
            for n in range(6)
        ]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3:] == [429, 429, 429]
        refused = client.get("/v1/decisions", headers={"X-API-Key": "tgk_ffffffff.guess"})
        assert "address" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
