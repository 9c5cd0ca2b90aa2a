"""Helpers for tests that run `tiergate serve` as a real process."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Block until GET /readyz answers 200; fail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"service at {base_url} did not become ready")
        time.sleep(0.2)
