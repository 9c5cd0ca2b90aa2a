"""Shared fixtures: a real OPA server (pinned release) over policies/ for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.opa.process import OpaProcess, find_opa_binary
from service.settings import PROJECT_ROOT

POLICIES_DIR = PROJECT_ROOT / "policies"


@pytest.fixture(scope="session")
def opa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpaProcess]:
    """A real `opa run --server` on a free loopback port, shared by the session."""
    log_path: Path = tmp_path_factory.mktemp("opa") / "opa.log"
    process = OpaProcess(binary=find_opa_binary(), policies_dir=POLICIES_DIR, log_path=log_path)
    process.start()
    try:
        process.wait_healthy(timeout=30)
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def opa_url(opa_server: OpaProcess) -> str:
    return opa_server.url
