"""Storage faults (issue 9 items 5 and 6): /readyz sees a full disk as a decision would, and the
service recovers from a read-only database without a restart.

The full disk is a real one where the suite runs as root: a 4 MiB tmpfs holding the SQLite
file, filled to ENOSPC. Where mounting is not permitted the same test runs against an injected
"database or disk is full" at commit (where SQLite meets ENOSPC: a rolled-back write never
reaches the disk) and says so in a warning. The read-only database is always injected: root
writes through file permissions, and Linux refuses to remount a filesystem read-only while
SQLite holds its file open for writing. The injection reproduces what SQLite does: a connection
opened while the file is read-only stays read-only after the permission comes back.
"""

from __future__ import annotations

import errno
import os
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from service.main import create_app
from tests.conftest import decision_request


@dataclass
class InjectedFault:
    """Commits fail while `active`; connections opened meanwhile keep failing (`sticky`)."""

    message: str
    sticky: bool = False
    active: bool = False
    poisoned: set[int] = field(default_factory=set)

    def install(self, engine: Engine) -> None:
        @event.listens_for(engine, "connect")
        def _opened(dbapi_connection: Any, _record: Any) -> None:
            if self.active and self.sticky:
                self.poisoned.add(id(dbapi_connection))

        @event.listens_for(engine, "commit")
        def _commit(connection: Any) -> None:
            dbapi = connection.connection.dbapi_connection
            if self.active or id(dbapi) in self.poisoned:
                raise OperationalError("COMMIT", {}, Exception(self.message))


@dataclass
class SmallDisk:
    """A directory on a 4 MiB tmpfs (real ENOSPC), or an injected fault where none can mount."""

    path: Path
    mounted: bool
    fault: InjectedFault = field(default_factory=lambda: InjectedFault("database or disk is full"))

    def attach(self, engine: Engine) -> None:
        if not self.mounted:
            self.fault.install(engine)

    def fill(self) -> None:
        if not self.mounted:
            self.fault.active = True
            return
        # Unbuffered: a buffered file keeps what a partial write left over and flushes it again
        # on close, which raised ENOSPC for some amounts of free space (the policy data growing
        # by about 1 KB was enough to hit one).
        with open(self.path / "filler", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    os.fsync(handle.fileno())
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc

    def free(self) -> None:
        self.fault.active = False
        (self.path / "filler").unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    if not mounted:
        warnings.warn(
            "cannot mount a tmpfs here: the full-disk test runs on an injected storage error",
            stacklevel=1,
        )
    try:
        yield SmallDisk(path=mount_point, mounted=mounted)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _ready(client: TestClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_readyz_sees_a_full_disk_and_decisions_recover(make_settings, small_disk) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(data_dir=small_disk.path / "data")
    with TestClient(create_app(settings)) as client:
        small_disk.attach(client.app.state.runtime.db)  # type: ignore[attr-defined]
        first = client.post("/v1/decisions", json=decision_request())
        assert first.status_code == 201, first.text
        assert _ready(client)[0] == 200

        small_disk.fill()
        refused = client.post("/v1/decisions", json=decision_request())
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "storage_unavailable"
        status, body = _ready(client)
        assert status == 503, body  # before issue 9: 200, the probe's write was rolled back
        assert body["checks"]["database"]["ok"] is False
        assert "full" in body["checks"]["database"]["detail"]

        small_disk.free()
        assert _ready(client)[0] == 200
        again = client.post("/v1/decisions", json=decision_request())
        assert again.status_code == 201, again.text
        assert client.get("/v1/decisions/verify").json()["checked"] == 2


def test_a_read_only_database_recovers_without_a_restart(make_settings) -> None:  # type: ignore[no-untyped-def]
    fault = InjectedFault("attempt to write a readonly database", sticky=True)
    with TestClient(create_app(make_settings())) as client:
        db = client.app.state.runtime.db  # type: ignore[attr-defined]
        fault.install(db)
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201

        fault.active = True
        for _ in range(3):  # each failure recycles the pool; the new connections are read-only
            refused = client.post("/v1/decisions", json=decision_request())
            assert refused.status_code == 503, refused.text
        assert _ready(client)[0] == 503
        assert fault.poisoned, "the fault opened no connection: it tested nothing"

        fault.active = False  # the permission is back
        statuses = [
            client.post("/v1/decisions", json=decision_request()).status_code for _ in range(10)
        ]
        # before issue 9 every one was 503 until a restart: the pool kept read-only connections.
        # A connection the pool opened while the fault was on (the readiness probe's) can still
        # be read-only: its failure disposes the whole pool, so at most the first request after
        # recovery fails and every later one is stored (seen once in a clean-clone CI run).
        assert statuses[0] in (201, 503) and statuses[1:] == [201] * 9, statuses
        assert client.get("/v1/decisions/verify").json() == {
            "ok": True,
            "checked": 1 + statuses.count(201),  # the first, and every one stored since
            "first_bad_id": None,
            "reason": None,
            "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
        }
