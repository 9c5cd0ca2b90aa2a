"""The active-exceptions read every decision makes (repository.active_for_decisions), on the
DBAPI connection: its window (valid_from ≤ at < expires_at), revocations, order, and a failed
read as a 503, never an empty list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from service.db import make_engine, migrate
from service.errors import StorageUnavailable
from service.exceptions import repository
from service.exceptions.tables import ExceptionEntryRow

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
END = START + timedelta(days=10)


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    return engine


def _entry(seq: int, entry_id: str, *, revokes: str | None = None) -> ExceptionEntryRow:
    kind = repository.REVOCATION if revokes else repository.EXCEPTION
    return ExceptionEntryRow(
        seq=seq,
        id=entry_id,
        kind=kind,
        exception_id=revokes or entry_id,
        revokes=revokes,
        rule_id="" if revokes else "tiergate.rules.tier.cloud",
        valid_from=None if revokes else START,
        expires_at=None if revokes else END,
        created_at=START,
        prev_hash=f"{seq - 1:064d}",
        hash=f"{seq:064d}",
        signature="s",
        key_id="k",
        body=f"body of {entry_id}",
    )


def _store(db: Engine, *entries: ExceptionEntryRow) -> None:
    with Session(db) as session:
        session.add_all(entries)
        session.commit()


def test_an_exception_is_active_from_valid_from_until_just_before_expires_at(db: Engine) -> None:
    _store(db, _entry(1, "e1"))
    active = [("e1", f"{1:064d}", "body of e1")]
    assert repository.active_for_decisions(db, START) == active
    assert repository.active_for_decisions(db, END - timedelta(microseconds=1)) == active
    assert repository.active_for_decisions(db, START - timedelta(microseconds=1)) == []
    assert repository.active_for_decisions(db, END) == []


def test_an_evaluation_time_with_an_offset_is_compared_as_the_instant_it_names(
    db: Engine,
) -> None:
    """A client's evaluation_time keeps its offset (EvaluationTime); stored times are UTC. SQLite
    stores times as text without a zone, so the instant is compared in UTC, not its wall clock."""
    _store(db, _entry(1, "e1"))
    beijing = timezone(timedelta(hours=8))
    before = (START - timedelta(minutes=30)).astimezone(beijing)  # 15:30+08:00, 07:30Z
    after = (START + timedelta(minutes=30)).astimezone(beijing)  # 16:30+08:00, 08:30Z
    assert repository.active_for_decisions(db, before) == []
    assert [row[0] for row in repository.active_for_decisions(db, after)] == ["e1"]


def test_revoked_exceptions_are_left_out_and_the_rest_come_oldest_first(db: Engine) -> None:
    _store(db, _entry(1, "e1"), _entry(2, "e2"), _entry(3, "e3"), _entry(4, "r2", revokes="e2"))
    assert [row[0] for row in repository.active_for_decisions(db, START)] == ["e1", "e3"]


def test_a_failed_read_is_storage_unavailable_not_no_exceptions(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: the query fails
    with pytest.raises(StorageUnavailable, match="exception log could not be read"):
        repository.active_for_decisions(engine, START)
