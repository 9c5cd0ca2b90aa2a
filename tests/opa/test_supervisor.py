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


def _opa_record(data_dir):  # type: ignore[no-untyped-def]
    import json

    records = sorted(data_dir.glob("opa-*.pid"))
    assert len(records) == 1, records
    return json.loads(records[0].read_text(encoding="utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not open(f"/proc/{pid}/stat").read().split(") ", 1)[1].startswith("Z")


def test_an_opa_left_by_a_killed_service_is_stopped_at_the_next_start(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    """Issue 9 item 10: `kill -9` of tiergate left its OPA running (own session, port bound)."""
    from tests import serving

    data_dir = tmp_path / "data"
    serve = serving.spawn(serving.serve_env(data_dir, ""))
    try:
        orphan = _opa_record(data_dir)["pid"]
        serve.kill()
        serve.wait(timeout=30)
        time.sleep(0.5)
        assert _alive(orphan), "OPA died with the service: nothing to reap"
    finally:
        if serve.poll() is None:
            serve.kill()
    with TestClient(create_app(make_settings(opa_url="", data_dir=data_dir))):
        assert not _alive(orphan)
        assert _opa_record(data_dir)["pid"] != orphan  # only the new OPA is recorded
    assert list(data_dir.glob("opa-*.pid")) == []


def test_the_opa_log_is_capped(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 item 10: OPA's decision log grew ~11 KB per decision without bound."""
    settings = make_settings(opa_url="", opa_log_max_bytes=20_000)
    with TestClient(create_app(settings)) as client:
        supervisor = client.app.state.runtime.supervisor  # type: ignore[attr-defined]
        log = supervisor.log_path
        rotated = log.with_name(log.name + ".1")
        for _ in range(20):  # the watch loop caps it within its poll interval
            assert client.post("/v1/decisions", json=decision_request()).status_code == 201
            time.sleep(supervisor.poll_interval * 2)
            assert log.stat().st_size <= 20_000 + 30_000  # never far past the cap
            if rotated.exists():
                break
        assert rotated.stat().st_size > 20_000
        assert b'"decision_id"' in rotated.read_bytes()
        supervisor.log_max_bytes = 0  # no further rotation: OPA must carry on in the same file
        last = client.post("/v1/decisions", json=decision_request()).json()
        deadline = time.monotonic() + 5
        while last["policy"]["decision_id"].encode() not in log.read_bytes():
            assert time.monotonic() < deadline, "OPA stopped logging after the truncation"
            time.sleep(0.1)
