"""Managed mode: with no OPA URL the service runs, watches and restarts its own OPA."""

from __future__ import annotations

import os
import signal
import time

from fastapi.testclient import TestClient

from service.main import create_app
from tests.conftest import decision_request


def test_managed_opa_starts_serves_and_is_restarted_after_it_dies(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(opa_url=""))) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        supervisor = runtime.supervisor
        assert supervisor is not None
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201

        pid = supervisor.process._proc.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while supervisor.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert supervisor.restarts == 1
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["policy_engine"]["restarts"] == 1
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        process = supervisor.process
    # shutdown stops the child
    assert not process.is_running()
