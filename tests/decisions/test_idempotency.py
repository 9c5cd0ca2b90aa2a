"""Idempotency-Key: a retried POST returns the original record; reuse with another body is 409."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import decision_request


def stored(client: TestClient) -> int:
    with client.app.state.runtime.db.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.execute(text("SELECT count(*) FROM decisions")).scalar_one())


def test_retry_with_same_key_and_body_returns_the_original(client: TestClient) -> None:
    headers = {"Idempotency-Key": "order-7"}
    first = client.post("/v1/decisions", json=decision_request(), headers=headers)
    again = client.post("/v1/decisions", json=decision_request(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert stored(client) == 1


def test_same_key_with_another_body_is_409(client: TestClient) -> None:
    headers = {"Idempotency-Key": "order-8"}
    assert client.post("/v1/decisions", json=decision_request(), headers=headers).status_code == 201
    other = client.post("/v1/decisions", json=decision_request(data_class="core"), headers=headers)
    assert other.status_code == 409
    assert other.json()["error"] == "conflict"
    assert other.json()["field"] == "Idempotency-Key"
    assert stored(client) == 1


def test_concurrent_retries_store_one_record(client: TestClient) -> None:
    headers = {"Idempotency-Key": "order-9"}

    def post(_: int) -> tuple[int, str]:
        response = client.post("/v1/decisions", json=decision_request(), headers=headers)
        return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(post, range(4)))
    assert {status for status, _ in results} == {201}
    assert len({decision_id for _, decision_id in results}) == 1
    assert stored(client) == 1
    assert client.get("/v1/decisions/verify").json()["ok"] is True


def test_without_a_key_each_post_is_a_new_decision(client: TestClient) -> None:
    client.post("/v1/decisions", json=decision_request())
    client.post("/v1/decisions", json=decision_request())
    assert stored(client) == 2


def test_malformed_key_is_422_naming_the_header(client: TestClient) -> None:
    response = client.post(
        "/v1/decisions", json=decision_request(), headers={"Idempotency-Key": "a b"}
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["field"]


def test_an_idempotency_key_is_scoped_to_the_api_key(client: TestClient) -> None:
    """Issue 9 item 4: another submitter reusing an Idempotency-Key gets its own decision, not
    the first key's record (nor, with another body, a 409 naming that record)."""
    from service.auth import service as auth_service
    from service.roles import Role

    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    other = {
        "Authorization": "Bearer " + auth_service.create(db, roles=[Role.submitter]).key,
        "Idempotency-Key": "order-10",
    }
    first = client.post(
        "/v1/decisions", json=decision_request(), headers={"Idempotency-Key": "order-10"}
    )
    assert first.status_code == 201
    theirs = client.post("/v1/decisions", json=decision_request(), headers=other)
    assert theirs.status_code == 201, theirs.text
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != first.json()["id"]
    other_body = client.post(
        "/v1/decisions", json=decision_request(data_class="core"), headers=other
    )
    assert other_body.status_code == 409
    assert first.json()["id"] not in other_body.text
    # each key still replays its own record
    again = client.post(
        "/v1/decisions", json=decision_request(), headers={"Idempotency-Key": "order-10"}
    )
    assert again.json()["id"] == first.json()["id"]
    assert stored(client) == 2
