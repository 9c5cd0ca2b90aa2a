"""Kill the managed OPA in the middle of concurrent decisions: every answer is a 201 whose record
verifies, or a 503; stored records equal the 201s; OPA is restarted and /readyz recovers."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import text

from service.main import create_app
from tests.conftest import decision_request

REQUESTS = 60
WORKERS = 6


def test_opa_killed_mid_load(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(opa_url="", opa_timeout_seconds=1.0)
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        supervisor = runtime.supervisor
        assert supervisor is not None
        supervisor.poll_interval = 0.05
        opa_pid = supervisor.process._proc.pid
        restarts_before = _restarts_metric(client)
        done = threading.Semaphore(0)

        def post(_: int) -> tuple[int, dict]:  # type: ignore[type-arg]
            response = client.post("/v1/decisions", json=decision_request())
            done.release()
            return response.status_code, response.json()

        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(post, i) for i in range(REQUESTS)]
            for _ in range(REQUESTS // 4):  # a quarter answered: kill OPA under load
                done.acquire(timeout=60)
            os.kill(opa_pid, signal.SIGKILL)
            results = [f.result(timeout=120) for f in futures]

        statuses = [status for status, _ in results]
        assert set(statuses) <= {201, 503}, statuses
        assert 503 in statuses, "OPA was killed under load; some requests must have failed"
        assert 201 in statuses
        for status, body in results:
            if status == 503:
                assert body["error"] in {"policy_engine_unavailable", "policy_out_of_sync"}
                assert set(body) <= {"error", "detail", "field"}
        created = [body["id"] for status, body in results if status == 201]
        with runtime.db.connect() as connection:
            stored = connection.execute(text("SELECT id FROM decisions")).scalars().all()
        assert sorted(stored) == sorted(created)  # nothing acknowledged was lost, nothing extra
        report = client.get("/v1/decisions/verify").json()
        assert report == {
            "ok": True,
            "checked": len(created),
            "first_bad_id": None,
            "reason": None,
            "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
        }
        for decision_id in created[:5]:
            assert client.get(f"/v1/decisions/{decision_id}").status_code == 200

        deadline = time.monotonic() + 30
        ready = client.get("/readyz")
        while ready.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["policy_engine"]["restarts"] >= 1
        assert supervisor.process._proc.pid != opa_pid
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        # The counter is process-wide (other apps in this test run may have restarted theirs).
        assert _restarts_metric(client) - restarts_before == supervisor.restarts


def _restarts_metric(client: TestClient) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "tiergate_opa_restarts_total":
                return float(sample.value)
    raise AssertionError("tiergate_opa_restarts_total missing from /metrics")
