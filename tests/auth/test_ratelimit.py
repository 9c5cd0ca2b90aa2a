"""Per-key token bucket: burst, refill, exact Retry-After; 429 over HTTP in the error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.auth.ratelimit import TokenBuckets, retry_after_header
from service.main import create_app
from service.roles import Role


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k") == 0.5  # one token takes 1/rate seconds
    assert buckets.take("other") == 0.0  # buckets are per key
    clock.now += 0.5
    assert buckets.take("k") == 0.0
    assert buckets.take("k") > 0
    clock.now += 100
    assert [buckets.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]  # capped at burst
    assert buckets.take("k") > 0


def test_rate_zero_means_unlimited() -> None:
    buckets = TokenBuckets(rate=0, burst=1)
    assert all(buckets.take("k") == 0.0 for _ in range(1000))


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(1.2) == "2"


def test_http_429_with_retry_after_per_key(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(auth_enabled=True, rate_limit_per_second=0.1, rate_limit_burst=2)
    with TestClient(create_app(settings)) as client:
        db = client.app.state.runtime.db  # type: ignore[attr-defined]
        first = {"X-API-Key": auth_service.create(db, roles=[Role.auditor]).key}
        second = {"X-API-Key": auth_service.create(db, roles=[Role.auditor]).key}
        assert [client.get("/v1/decisions", headers=first).status_code for _ in range(2)] == [
            200,
            200,
        ]
        limited = client.get("/v1/decisions", headers=first)
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 10
        assert client.get("/v1/decisions", headers=second).status_code == 200
        assert client.get("/healthz").status_code == 200  # open routes are not limited
