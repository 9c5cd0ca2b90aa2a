"""Managed mode: tiergate runs its own OPA as a supervised child process.

With no TIERGATE_OPA_URL the service starts `opa run --server` over policies/ on a free loopback
port, waits until it is healthy, restarts it when it dies, and stops it on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    ) -> None:
        self.process = OpaProcess(binary=binary, policies_dir=policies_dir, log_path=log_path)
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
        self.process.start()
        self.process.wait_healthy(self.start_timeout)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            if self.process.is_running():
                continue
            log.warning("opa_exited_restarting", url=self.url)
            try:
                await run_in_threadpool(self._start_and_wait)
            except (OSError, RuntimeError, TimeoutError) as exc:
                log.error("opa_restart_failed", error=str(exc))
                continue
            self.restarts += 1
            OPA_RESTARTS.inc()
            if self.on_restart:
                self.on_restart()
            log.info("opa_restarted", url=self.url, restarts=self.restarts)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await run_in_threadpool(self.process.stop)
