"""Fail closed: no decision is returned or stored when OPA cannot be trusted."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.main import create_app
from service.opa.process import OpaProcess, find_opa_binary
from tests.conftest import POLICIES_DIR, decision_request


def stored(client: TestClient) -> int:
    with client.app.state.runtime.db.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.execute(text("SELECT count(*) FROM decisions")).scalar_one())


@pytest.fixture
def own_opa(opa_on_a_copy) -> Iterator[tuple[OpaProcess, Path]]:  # type: ignore[no-untyped-def]
    """A real OPA of this test's own, over a private copy of the policies."""
    yield opa_on_a_copy


def test_opa_stopped_gives_503_and_stores_nothing(make_settings, own_opa) -> None:  # type: ignore[no-untyped-def]
    process, policies = own_opa
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        process.stop()
        response = client.post("/v1/decisions", json=decision_request())
        assert response.status_code == 503
        assert response.json()["error"] == "policy_engine_unavailable"
        assert "unreachable" in response.json()["detail"]
        assert stored(client) == 1
        assert client.get("/readyz").status_code == 503


def test_policy_edit_rejected_by_opa_refuses_decisions_until_fixed(make_settings, own_opa) -> None:  # type: ignore[no-untyped-def]
    process, policies = own_opa
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    broken = policies / "tiergate" / "broken.rego"
    with TestClient(create_app(settings)) as client:
        before = client.post("/v1/decisions", json=decision_request()).json()
        broken.write_text("package tiergate.broken\n\nx := {\n", encoding="utf-8")
        response = client.post("/v1/decisions", json=decision_request())
        assert response.status_code == 503
        assert response.json()["error"] == "policy_out_of_sync"
        assert stored(client) == 1
        # a valid edit is picked up without restarting anything
        broken.write_text("package tiergate.broken\n\nx := 1\n", encoding="utf-8")
        after = client.post("/v1/decisions", json=decision_request())
        assert after.status_code == 201, after.text
        assert after.json()["policy"]["revision"] != before["policy"]["revision"]


def test_undefined_decision_gives_503(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policies = tmp_path / "empty-policies"
    (policies / "tiergate" / "main").mkdir(parents=True)
    (policies / "tiergate" / "main" / "main.rego").write_text(
        "package tiergate.main\n\nother := true\n", encoding="utf-8"
    )
    shutil.copytree(POLICIES_DIR / "tiergate" / "reference", policies / "tiergate" / "reference")
    process = OpaProcess(binary=find_opa_binary(), policies_dir=policies)
    process.start()
    try:
        process.wait_healthy(30)
        settings = make_settings(opa_url=process.url, policies_dir=policies)
        with TestClient(create_app(settings)) as client:
            response = client.post("/v1/decisions", json=decision_request())
            assert response.status_code == 503
            assert "undefined" in response.json()["detail"]
            assert stored(client) == 0
    finally:
        process.stop()


class SilentServer:
    """Unit-test stand-in for a hung OPA: accepts connections, never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
        self.sock.close()


def test_slow_opa_times_out_with_503(make_settings) -> None:  # type: ignore[no-untyped-def]
    server = SilentServer()
    try:
        settings = make_settings(opa_url=f"http://127.0.0.1:{server.port}", opa_timeout_seconds=0.3)
        with TestClient(create_app(settings)) as client:
            started = time.monotonic()
            response = client.post("/v1/decisions", json=decision_request())
            assert response.status_code == 503
            assert "timed out" in response.json()["detail"]
            assert time.monotonic() - started < 5
            assert stored(client) == 0
    finally:
        server.close()


@pytest.mark.parametrize(
    ("relative", "content"),
    [
        ("tiergate/reference/tiers/data.json", b'{"ladder": ['),
        ("tiergate/reference/accelerators/data.json", b"{not json"),
        ("tiergate/lib/facts.rego", b'package tiergate.lib.facts\n\nx := "\xff\xfe"\n'),
    ],
)
def test_an_unreadable_policy_file_is_503_out_of_sync(  # type: ignore[no-untyped-def]
    make_settings, own_opa, relative: str, content: bytes
) -> None:
    """Issue 9 item 8: invalid JSON in a data.json or invalid UTF-8 in a .rego was a 500."""
    process, policies = own_opa
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    target = policies / relative
    original = target.read_bytes()
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        target.write_bytes(content)
        response = client.post("/v1/decisions", json=decision_request())
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "policy_out_of_sync"
        assert stored(client) == 1
        target.write_bytes(original)
        deadline = time.monotonic() + 20
        while (status := client.post("/v1/decisions", json=decision_request()).status_code) != 201:
            assert status == 503 and time.monotonic() < deadline
            time.sleep(0.2)
