"""Shared fixtures: a real OPA server (pinned release) over policies/ for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.opa.process import OpaProcess, find_opa_binary
from tests.support.builders import POLICIES_DIR, decision_request

__all__ = ["POLICIES_DIR", "decision_request"]  # importable from here as before


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


@pytest.fixture
def opa_on_a_copy(tmp_path: Path) -> Iterator[tuple[OpaProcess, Path]]:
    """A real OPA of the test's own over a private copy of policies/, for tests that edit the
    policies or stop OPA; yields the process and the copy's folder."""
    import shutil

    policies = tmp_path / "policies"
    shutil.copytree(POLICIES_DIR, policies)
    process = OpaProcess(
        binary=find_opa_binary(), policies_dir=policies, log_path=tmp_path / "opa.log"
    )
    process.start()
    try:
        process.wait_healthy(30)
        yield process, policies
    finally:
        process.stop()


@pytest.fixture(scope="session")
def opa_url(opa_server: OpaProcess) -> str:
    return opa_server.url


@pytest.fixture
def make_settings(tmp_path: Path, opa_url: str):  # type: ignore[no-untyped-def]
    """Settings for an app on a fresh SQLite file, using the session OPA unless told otherwise.

    API keys and rate limits are off here so tests of other behaviours need no key; the
    `client` fixture and tests/auth turn authentication on.
    """
    from service.settings import Settings

    def _make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "opa_url": opa_url,
            "policies_dir": POLICIES_DIR,
            "auth_enabled": False,
            "rate_limit_per_second": 0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return _make


@pytest.fixture
def client(make_settings):  # type: ignore[no-untyped-def]
    """A TestClient (lifespan running) of an app on the session OPA and a fresh database,
    with authentication on and a key holding every role sent on each request."""
    from fastapi.testclient import TestClient

    from service.auth import service as auth_service
    from service.main import create_app
    from service.roles import Role

    with TestClient(create_app(make_settings(auth_enabled=True))) as test_client:
        db = test_client.app.state.runtime.db  # type: ignore[attr-defined]
        key = auth_service.create(db, roles=list(Role), name="tests").key
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server (started by scripts/with-postgres.sh)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("TIERGATE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("no PostgreSQL: run through `make test` (scripts/with-postgres.sh starts one)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
