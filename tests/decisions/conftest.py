"""Fixtures of the decision-log tests: a migrated log on each database, one signing key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from service import db as database
from service.decisions import chain, repository
from service.decisions.signing import SigningKey

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind the service supports (PostgreSQL: the server make test starts)."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'log.db'}"


@pytest.fixture
def migrated_log(database_url: str) -> Iterator[Engine]:
    """An empty decision log with the schema migrations build, as `tiergate serve` has it."""
    engine = database.make_engine(database_url)
    database.migrate(engine)
    repository.ensure_chain_head(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def key() -> SigningKey:
    """One signing key for all examples of a test (the log they build is one chain)."""
    private = Ed25519PrivateKey.generate()
    return SigningKey(private_key=private, key_id=chain.key_id_of(private.public_key()))
