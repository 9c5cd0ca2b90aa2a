"""Managed mode: tiergate runs its own OPA as a supervised child process.

With no TIERGATE_OPA_URL the service starts `opa run --server` over policies/ on a free loopback
port, waits until it is healthy, restarts it when it dies, and stops it on shutdown.

OPA runs in its own session (a Ctrl-C for tiergate is not one for OPA), so a tiergate that is
killed outright leaves it running. Each supervisor therefore records `opa-<its pid>.pid` (OPA's
pid and the command line) beside the log, and at start stops every OPA recorded by a process
that is no longer alive. OPA's log (its decision log: ~11 KB per decision) is capped: past
`log_max_bytes` it is copied to `opa.log.1` and truncated in place (OPA appends, so it carries
on at the start), keeping at most twice the cap on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import structlog
from starlette.concurrency import run_in_threadpool

from service.observability.metrics import OPA_RESTARTS
from service.opa.process import OpaProcess

log = structlog.get_logger(__name__)


class OpaSupervisor:
    """Keeps one OpaProcess alive; calls `on_restart` after each restart."""

    def __init__(
        self,
        *,
        binary: str,
        policies_dir: Path,
        log_path: Path,
        start_timeout: float,
        poll_interval: float = 0.25,
        on_restart: Callable[[], None] | None = None,
        log_max_bytes: int = 0,
    ) -> None:
        self.process = OpaProcess(binary=binary, policies_dir=policies_dir, log_path=log_path)
        self.log_path = log_path
        self.log_max_bytes = log_max_bytes
        self.pid_path = log_path.parent / f"opa-{os.getpid()}.pid"
        self.start_timeout = start_timeout
        self.poll_interval = poll_interval
        self.on_restart = on_restart
        self.restarts = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return self.process.url

    async def start(self) -> None:
        await run_in_threadpool(self._start_and_wait)
        log.info("opa_started", url=self.url, binary=self.process.binary)
        self._task = asyncio.create_task(self._watch(), name="opa-supervisor")

    def _start_and_wait(self) -> None:
        reap_orphans(self.log_path.parent)
        self.process.start()
        self.pid_path.write_text(
            json.dumps(
                {
                    "pid": self.process.pid,
                    "owner": os.getpid(),
                    "cmdline": self.process.command(),  # not /proc: it may still be empty
                }
            ),
            encoding="utf-8",
        )
        self.process.wait_healthy(self.start_timeout)

    def _restart(self) -> None:
        """Start a new OPA and count the restart once it is healthy, in the same thread: were
        it counted when the event loop picks the result up, a readiness check reaching the
        new OPA in between (a busy loop takes milliseconds to get there) would report a
        restarted engine with 0 restarts (test_faults.test_opa_killed_mid_load met that)."""
        self._start_and_wait()
        self.restarts += 1
        OPA_RESTARTS.inc()

    def cap_log(self) -> None:
        """Copy-truncate OPA's log once it passes the cap (0: no cap)."""
        if not self.log_max_bytes:
            return
        with contextlib.suppress(FileNotFoundError):
            if self.log_path.stat().st_size > self.log_max_bytes:
                shutil.copyfile(self.log_path, self.log_path.with_name(self.log_path.name + ".1"))
                os.truncate(self.log_path, 0)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            self.cap_log()
            if self.process.is_running():
                continue
            log.warning("opa_exited_restarting", url=self.url)
            try:
                await run_in_threadpool(self._restart)
            except (OSError, RuntimeError, TimeoutError) as exc:
                log.error("opa_restart_failed", error=str(exc))
                continue
            if self.on_restart:
                self.on_restart()
            log.info("opa_restarted", url=self.url, restarts=self.restarts)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await run_in_threadpool(self.process.stop)
        self.pid_path.unlink(missing_ok=True)


def _cmdline_of(pid: int | None) -> list[str]:
    if pid is None:
        return []
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(folder: Path, wait: float = 5.0) -> list[int]:
    """Stop every OPA a dead tiergate process recorded in `folder`; return their pids. An OPA is
    only signalled while its command line is still the one recorded (a reused pid is left)."""
    reaped = []
    for record in sorted(folder.glob("opa-*.pid")):
        try:
            entry = json.loads(record.read_text(encoding="utf-8"))
            pid, owner, cmdline = int(entry["pid"]), int(entry["owner"]), list(entry["cmdline"])
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)
            continue
        if owner != os.getpid() and _alive(owner):
            log.info("opa_record_of_live_process", pid=pid, owner=owner)
            continue  # another live worker's OPA
        running = _cmdline_of(pid)
        if cmdline and running == cmdline:
            _stop(pid, wait)
            reaped.append(pid)
            log.warning("opa_orphan_stopped", pid=pid, owner=owner)
        elif running:
            log.info("opa_record_stale", pid=pid, running=running[:2], recorded=cmdline[:2])
        record.unlink(missing_ok=True)
    return reaped


def _stop(pid: int, wait: float) -> None:
    """SIGTERM, then SIGKILL after `wait` seconds; returns once the process is gone (or a
    zombie: no command line) so its port is free for the OPA started next."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _cmdline_of(pid):
            time.sleep(0.05)
        if not _cmdline_of(pid):
            return
