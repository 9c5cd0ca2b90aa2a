"""Body cap (413, counted on bytes read, not only Content-Length) and the request deadline."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.limits import BodyLimitMiddleware, TimeoutMiddleware
from service.main import create_app
from tests.conftest import decision_request


def test_declared_content_length_over_cap_is_413(client: TestClient) -> None:
    body = json.dumps({**decision_request(), "pad": "x" * (1024 * 1024)})
    response = client.post(
        "/v1/decisions", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert "X-Request-ID" in response.headers


def test_chunked_body_over_cap_is_413_counted_on_bytes(client: TestClient) -> None:
    def chunks() -> Any:
        yield b'{"workload": {"name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}'

    response = client.post(
        "/v1/decisions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json() == {
        "error": "payload_too_large",
        "detail": "request body exceeds the limit of 1048576 bytes",
    }


def test_body_under_the_cap_is_accepted(client: TestClient) -> None:
    assert client.post("/v1/decisions", json=decision_request()).status_code == 201


async def _asgi_get(app: Any, path: str, method: str = "GET") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.request(method, path)


def _slow_app(delay: float) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    return app


async def test_deadline_gives_504_in_the_error_shape() -> None:
    response = await _asgi_get(TimeoutMiddleware(_slow_app(5), seconds=0.1), "/v1/decisions")
    assert response.status_code == 504
    assert response.json()["error"] == "timeout"


async def test_deadline_never_cuts_a_request_that_may_store_something() -> None:
    app = TimeoutMiddleware(_slow_app(0.3), seconds=0.05)
    response = await _asgi_get(app, "/v1/decisions", method="POST")
    assert response.status_code == 200 and response.text == "done"


async def test_deadline_applies_to_side_effect_free_posts() -> None:
    app = TimeoutMiddleware(_slow_app(5), seconds=0.05)
    assert (await _asgi_get(app, "/v1/sizing", method="POST")).status_code == 504


async def test_deadline_stops_once_the_response_has_started() -> None:
    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.2)
        await send({"type": "http.response.body", "body": b"late"})

    response = await _asgi_get(TimeoutMiddleware(streaming, seconds=0.05), "/export")
    assert response.status_code == 200 and response.text == "late"


async def test_body_cap_outside_a_route_still_answers_413() -> None:
    async def reads_body(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = BodyLimitMiddleware(reads_body, max_bytes=10)
    transport = httpx.ASGITransport(app=app)

    async def body() -> Any:
        for _ in range(5):
            yield b"0123456789"

    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post("/x", content=body())
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/decisions", b"{not json"),
        ("POST", "/v1/decisions", b"[]"),
        ("POST", "/v1/decisions", b'{"workload": 1, "context": {"sector": "mars"}}'),
        ("GET", "/v1/decisions?limit=0", None),
        ("GET", "/v1/decisions/nope", None),
        ("DELETE", "/v1/decisions", None),
        ("GET", "/no/such/path", None),
    ],
)
def test_every_error_has_the_one_shape(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    response = client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code >= 400
    payload = response.json()
    assert set(payload) <= {"error", "detail", "field", "errors"}
    assert isinstance(payload["error"], str) and isinstance(payload["detail"], str)
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_validation_errors_name_each_field(client: TestClient) -> None:
    body = decision_request(sector="mars", region="ZZZ")
    payload = client.post("/v1/decisions", json=body).json()
    fields = {e["field"] for e in payload["errors"]}
    assert {"context.sector", "context.region"} <= fields


def test_unexpected_errors_leak_nothing(make_settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from service.decisions import service

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(service, "list_decisions", boom)
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as client:
        response = client.get("/v1/decisions")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "internal error; see server logs",
    }


def test_deadline_through_the_whole_app(make_settings, opa_server) -> None:  # type: ignore[no-untyped-def]
    """A read held up by a slow OPA answers 504 at the deadline; a decision is never cut."""
    from tests.api.proxy import delaying_proxy

    with delaying_proxy(opa_server.port, delay=1.0, marker=b"GET /v1/policies HTTP") as port:
        settings = make_settings(
            opa_url=f"http://127.0.0.1:{port}", request_timeout_seconds=0.3, opa_timeout_seconds=5
        )
        with TestClient(create_app(settings)) as client:
            # the service read OPA's loaded policies at start (to archive the revision): make
            # it read them again, through the slow proxy, as after a reload
            engine = client.app.state.runtime.policy_engine  # type: ignore[attr-defined]
            engine.forget_loaded_state()
            response = client.get("/v1/policies")
            assert response.status_code == 504, response.text
            assert response.json()["error"] == "timeout"
            assert "X-Request-ID" in response.headers
            # listing the loaded policies (GET /v1/policies on OPA) is slow, so the first
            # decision takes longer than the deadline, and still completes and is stored
            engine.forget_loaded_state()
            started = time.monotonic()
            created = client.post("/v1/decisions", json=decision_request())
            assert created.status_code == 201, created.text
            assert time.monotonic() - started > 0.3
