"""/metrics: decisions by verdict and tier, request and OPA latency, OPA restarts; JSON logs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import decision_request


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(metrics: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return metrics.get((name, frozenset(labels.items())), 0.0)


def test_decisions_counted_by_verdict_and_tier_when_committed(client: TestClient) -> None:
    before = samples(client)
    record = client.post("/v1/decisions", json=decision_request()).json()
    denied = client.post(
        "/v1/decisions",
        json=decision_request(requested_tier="shared_cloud", data_class="core", core_business=True),
    ).json()
    after = samples(client)
    for rec in (record, denied):
        labels = {"verdict": rec["verdict"], "tier": rec["tier"]["selected"]}
        expected = sum(
            1
            for r in (record, denied)
            if (r["verdict"], r["tier"]["selected"]) == (labels["verdict"], labels["tier"])
        )
        grown = value(after, "tiergate_decisions_total", **labels) - value(
            before, "tiergate_decisions_total", **labels
        )
        assert grown == expected


def test_an_idempotent_retry_is_not_counted_again(client: TestClient) -> None:
    total = lambda m: sum(v for (n, _), v in m.items() if n == "tiergate_decisions_total")  # noqa: E731
    before = samples(client)
    headers = {"Idempotency-Key": "retry-metrics-1"}
    first = client.post("/v1/decisions", json=decision_request(), headers=headers)
    again = client.post("/v1/decisions", json=decision_request(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert total(samples(client)) - total(before) == 1


def test_a_failed_decision_is_not_counted(make_settings) -> None:  # type: ignore[no-untyped-def]
    from service.main import create_app

    with TestClient(create_app(make_settings(opa_url="http://127.0.0.1:9"))) as client:
        before = samples(client)
        assert client.post("/v1/decisions", json=decision_request()).status_code == 503
        after = samples(client)
    total = lambda m: sum(v for (n, _), v in m.items() if n == "tiergate_decisions_total")  # noqa: E731
    assert total(after) == total(before)


def test_request_and_opa_latency_histograms(client: TestClient) -> None:
    before = samples(client)
    record = client.post("/v1/decisions", json=decision_request()).json()
    client.get(f"/v1/decisions/{record['id']}")
    after = samples(client)
    route = {"route": "/v1/decisions/{decision_id}", "method": "GET", "status": "200"}
    assert (
        value(after, "tiergate_request_duration_seconds_count", **route)
        == value(before, "tiergate_request_duration_seconds_count", **route) + 1
    )
    post = {"route": "/v1/decisions", "method": "POST", "status": "201"}
    assert value(after, "tiergate_request_duration_seconds_count", **post) >= 1
    grown = value(after, "tiergate_opa_request_duration_seconds_count") - value(
        before, "tiergate_opa_request_duration_seconds_count"
    )
    assert grown == 1
    assert value(after, "tiergate_opa_request_duration_seconds_sum") > 0


def test_unmatched_paths_do_not_create_label_values(client: TestClient) -> None:
    client.get("/no/such/thing/123")
    metrics = samples(client)
    routes = {
        dict(labels).get("route")
        for (name, labels) in metrics
        if name.startswith("tiergate_request")
    }
    assert "/no/such/thing/123" not in routes and "unmatched" in routes


def test_opa_restarts_exposed(client: TestClient) -> None:
    # Counted when a supervisor restarts OPA (tests/api/test_faults.py kills one); here: present.
    assert ("tiergate_opa_restarts_total", frozenset()) in samples(client)


def test_logs_are_json_with_the_request_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": "req-abc-123"})
    assert response.headers["X-Request-ID"] == "req-abc-123"
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line.get("event") == "request"]
    assert access and access[-1]["request_id"] == "req-abc-123"
    assert access[-1]["route"] == "/healthz" and access[-1]["status"] == 200
    assert "timestamp" in access[-1] and access[-1]["level"] == "info"


def test_metrics_of_several_workers_are_summed(tmp_path, opa_url: str) -> None:  # type: ignore[no-untyped-def]
    """`tiergate serve --workers 2`: whichever worker answers /metrics reports every decision
    (prometheus-client multiprocess mode), not only the ones it handled itself."""
    import httpx

    from tests import serving

    env = serving.serve_env(tmp_path / "data", opa_url)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = serving.spawn(env, "--workers", "2")
    base = serving.base_url(env)
    try:
        decisions = 12
        for _ in range(decisions):  # a new connection each: the kernel spreads them over workers
            assert httpx.post(f"{base}/v1/decisions", json=decision_request()).status_code == 201
        for _ in range(6):
            text = httpx.get(f"{base}/metrics").text
            counted = sum(
                s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
                if s.name == "tiergate_decisions_total"
            )
            assert counted == decisions
    finally:
        serving.stop(proc, timeout=60)


def test_exceptions_expiring_within_30_days_are_a_gauge(client: TestClient) -> None:
    from tests.exceptions.test_routes import exception_body, now, stamp

    def gauge() -> float:
        text = client.get("/metrics").text
        (line,) = [
            x for x in text.splitlines() if x.startswith("tiergate_exceptions_expiring_30d ")
        ]
        return float(line.split()[1])

    assert gauge() == 0
    for days in (5, 29, 31, 200):
        body = exception_body(expires_at=stamp(now() + timedelta(days=days)))
        assert client.post("/v1/exceptions", json=body).status_code == 201
    assert gauge() == 2
    soon = client.get("/v1/exceptions", params={"rule_id": "tier.below_minimum"}).json()
    first = soon["items"][-1]["exception"]["id"]  # the 5-day one (oldest)
    client.post(f"/v1/exceptions/{first}/revoke", json={"reason": "done early"})
    assert gauge() == 1  # a revoked exception no longer expires


def test_servers_on_one_data_directory_keep_their_own_metrics_folders(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Two `serve --workers N` on one data directory: starting one must not delete the files of
    the other (it did: both used data/prometheus and emptied it), while the folders of servers
    no longer running are cleared so their counts are not added again."""
    import os
    import subprocess
    import sys

    from service.cli import _share_metrics_between_workers

    root = tmp_path / "prometheus"
    other_server = root / str(os.getppid())  # a process that is running
    (other_server).mkdir(parents=True)
    (other_server / "counter_1.db").write_bytes(b"live")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = root / finished.stdout.strip()
    dead.mkdir()
    (dead / "counter_2.db").write_bytes(b"stale")
    (root / "counter_0.db").write_bytes(b"from the one-folder layout")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    _share_metrics_between_workers(root)

    mine = root / str(os.getpid())
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(mine) and mine.is_dir()
    assert (other_server / "counter_1.db").read_bytes() == b"live"
    assert not dead.exists() and not (root / "counter_0.db").exists()
