"""Run `tiergate serve` as a real process: the one helper for tests and bench/run.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

from service.opa.process import free_port
from tests.support.builders import POLICIES_DIR

TIERGATE = str(Path(sys.executable).parent / "tiergate")


def serve_env(data_dir: Path, opa_url: str, **settings: str) -> dict[str, str]:
    """The environment of a service on a free loopback port, `data_dir` and `opa_url` ("" for a
    managed OPA); authentication and rate limits off unless `settings` (TIERGATE_<NAME> without
    the prefix, lower case) say otherwise."""
    env = {
        **os.environ,
        "TIERGATE_HOST": "127.0.0.1",
        "TIERGATE_PORT": str(free_port()),
        "TIERGATE_DATA_DIR": str(data_dir),
        "TIERGATE_POLICIES_DIR": str(POLICIES_DIR),
        "TIERGATE_OPA_URL": opa_url,
        "TIERGATE_AUTH_ENABLED": "false",
        "TIERGATE_RATE_LIMIT_PER_SECOND": "0",
    }
    env.update({f"TIERGATE_{name.upper()}": value for name, value in settings.items()})
    return env


def base_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['TIERGATE_PORT']}"


def spawn(
    env: dict[str, str],
    *args: str,
    command: Sequence[str] = (TIERGATE, "serve"),
    output: IO[bytes] | int = subprocess.DEVNULL,
    ready: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `tiergate serve` (or `command`, e.g. under a profiler) with `args`; with `ready`,
    return only once it answers GET /readyz (killed and an AssertionError if it never does)."""
    process = subprocess.Popen([*command, *args], env=env, stdout=output, stderr=subprocess.STDOUT)
    if ready:
        try:
            wait_ready(base_url(env), process)
        except AssertionError:
            process.kill()
            raise
    return process


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Block until GET /readyz answers 200; fail if the process exits or time runs out (two
    servers of two workers each took 44-51 s to start at load 8 on two cores: 60 s was a
    coin toss for tests/decisions/test_postgres.py)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            # The first probe reads OPA's policy listing (~1 MB) and each commits a storage write:
            # on a loaded box one took 2.7 s, and abandoning it at 2 s only queued another.
            if httpx.get(f"{base_url}/readyz", timeout=15).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"service at {base_url} did not become ready")
        time.sleep(0.2)
