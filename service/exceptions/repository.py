"""All SQL of the exception log. Appends are serialised through its own chain-head row."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, bindparam, exists, func
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service.db import as_utc, driver_statement, recycle, run_on_driver
from service.decisions.chained_insert import append_on_head
from service.decisions.index_columns import first_mismatched_column
from service.decisions.repository import in_seq_order
from service.errors import StorageUnavailable
from service.exceptions.tables import ExceptionChainHead, ExceptionEntryRow

EXCEPTION = "exception"
REVOCATION = "revocation"


def ensure_chain_head(engine: Engine) -> None:
    """Create the exception log's chain-head row if this is a new database (safe to race)."""
    with Session(engine) as session:
        if session.get(ExceptionChainHead, 1) is None:
            session.add(ExceptionChainHead(id=1))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()


def _instant(text_value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(text_value)) if text_value else None


# The one map from a sealed entry to the columns stored beside its body (as in the decision
# log): seal fills them from it, verify checks every column against it, so an edited column
# (an exception that seems to run longer, a revocation hidden from the lookup) cannot pass.
INDEX_COLUMNS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "seq": lambda entry: entry["integrity"]["seq"],
    "id": lambda entry: entry["id"],
    "kind": lambda entry: entry["kind"],
    "exception_id": lambda entry: (
        entry["id"] if entry["kind"] == EXCEPTION else entry["exception_id"]
    ),
    "revokes": lambda entry: entry["exception_id"] if entry["kind"] == REVOCATION else None,
    "rule_id": lambda entry: entry.get("rule_id", ""),
    "valid_from": lambda entry: _instant(entry.get("valid_from")),
    "expires_at": lambda entry: _instant(entry.get("expires_at")),
    "created_at": lambda entry: _instant(entry["created_at"]),
    "prev_hash": lambda entry: entry["integrity"]["prev_hash"],
    "key_id": lambda entry: entry["integrity"]["key_id"],
}


def index_columns(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {name: column(entry) for name, column in INDEX_COLUMNS.items()}


def column_mismatch(row: ExceptionEntryRow, entry: Mapping[str, Any]) -> str | None:
    """The first index column of `row` that differs from its sealed entry, or None."""
    return first_mismatched_column(INDEX_COLUMNS, row, entry, "entry")


class AlreadyRevoked(Exception):
    """A revocation of this exception committed first."""


def append(engine: Engine, *, seal: Callable[[int, str], ExceptionEntryRow]) -> ExceptionEntryRow:
    """Seal the next entry on top of the exception log's head and store it, atomically (the
    head UPDATE first takes the lock: service.decisions.chained_insert)."""
    try:
        with engine.begin() as connection:
            return append_on_head(connection, ExceptionChainHead, ExceptionEntryRow, seal)
    except SQLAlchemyError as exc:
        if isinstance(exc, IntegrityError) and "revokes" in str(exc.orig).lower():
            raise AlreadyRevoked from exc
        recycle(engine)
        raise StorageUnavailable(
            f"the exception log could not be written ({type(exc).__name__}); nothing was recorded"
        ) from exc


def get(engine: Engine, entry_id: str) -> ExceptionEntryRow | None:
    with Session(engine) as session:
        return session.exec(
            select(ExceptionEntryRow).where(ExceptionEntryRow.id == entry_id)
        ).first()


def revocation_of(engine: Engine, exception_id: str) -> ExceptionEntryRow | None:
    with Session(engine) as session:
        query = select(ExceptionEntryRow).where(ExceptionEntryRow.revokes == exception_id)
        return session.exec(query).first()


def _active_query() -> Any:
    entries: Table = ExceptionEntryRow.__table__  # type: ignore[attr-defined]
    revocation = entries.alias("revocation")
    return (
        select(entries.c.id, entries.c.hash, entries.c.body)
        .where(entries.c.kind == EXCEPTION)
        .where(entries.c.valid_from <= bindparam("at"))
        .where(entries.c.expires_at > bindparam("at"))
        .where(~exists().where(revocation.c.revokes == entries.c.id))
        .order_by(entries.c.seq)
    )


# Built once, in Core: the ORM query with an aliased revocation cost ~2 ms of CPU per decision
# to build and compile, most of a decision's exception lookup when there are no exceptions.
_ACTIVE = _active_query()


def active_for_decisions(engine: Engine, at: datetime) -> list[tuple[str, str, str]]:
    """(id, hash, body) of the exceptions valid at `at` (valid_from ≤ at < expires_at) that
    were never revoked: a revocation stops an exception for every decision made after it,
    whatever their evaluation time. Oldest first.

    Every decision reads this, so it runs _ACTIVE on the driver (service.db.run_on_driver):
    through a SQLAlchemy Connection (autobegin with its BEGIN, events, result rows, rollback)
    it cost ~190 µs of CPU, this ~35 µs (SQLite, measured in one process).
    """
    try:
        connection = engine.raw_connection()
        try:
            query = driver_statement(_ACTIVE, engine.dialect)
            rows = run_on_driver(connection, engine.dialect, query, [{"at": at}])
        finally:
            connection.close()  # back to the pool (which rolls the read back)
    except SQLAlchemyError as exc:  # a pool or driver error: fail closed, never "no exceptions"
        recycle(engine)
        raise StorageUnavailable(
            f"the exception log could not be read ({type(exc).__name__}); no decision was made"
        ) from exc
    return [(str(entry_id), str(entry_hash), str(body)) for entry_id, entry_hash, body in rows]


@dataclass(frozen=True)
class ExceptionFilter:
    active_at: datetime | None = None
    expiring_before: datetime | None = None
    rule_id: str | None = None


def _filtered(query: Any, revocation: Any, filters: ExceptionFilter) -> Any:
    query = query.where(ExceptionEntryRow.kind == EXCEPTION)
    if filters.rule_id:
        query = query.where(ExceptionEntryRow.rule_id == filters.rule_id)
    if filters.active_at is not None:
        at = filters.active_at
        query = query.where(col(ExceptionEntryRow.valid_from) <= at).where(
            col(ExceptionEntryRow.expires_at) > at
        )
        query = query.where((col(revocation.seq).is_(None)) | (col(revocation.created_at) > at))
    if filters.expiring_before is not None:
        query = query.where(col(ExceptionEntryRow.expires_at) < filters.expiring_before)
        query = query.where(col(revocation.seq).is_(None))
    return query


def list_exceptions(
    engine: Engine, *, filters: ExceptionFilter, limit: int
) -> list[tuple[ExceptionEntryRow, ExceptionEntryRow | None]]:
    """Exceptions with their revocation (if any), newest first. `active_at`: valid then and not
    revoked by then; `expiring_before`: expires before it and not revoked."""
    revocation = aliased(ExceptionEntryRow)
    query = select(ExceptionEntryRow, revocation).join(
        revocation, col(revocation.revokes) == col(ExceptionEntryRow.id), isouter=True
    )
    query = _filtered(query, revocation, filters)
    query = query.order_by(col(ExceptionEntryRow.seq).desc()).limit(limit)
    with Session(engine) as session:
        return [(row, revoked) for row, revoked in session.exec(query).all()]


def count_expiring(engine: Engine, *, now: datetime, before: datetime) -> int:
    """Exceptions in force now, not revoked, that expire before `before` (the /metrics gauge)."""
    revocation = aliased(ExceptionEntryRow)
    query = select(func.count()).select_from(ExceptionEntryRow)
    query = query.join(
        revocation, col(revocation.revokes) == col(ExceptionEntryRow.id), isouter=True
    )
    query = _filtered(query, revocation, ExceptionFilter(active_at=now, expiring_before=before))
    with Session(engine) as session:
        return int(session.exec(query).one())


def iterate_in_order(engine: Engine, *, batch_size: int = 500) -> Iterator[ExceptionEntryRow]:
    """Every entry in chain order, a batch at a time."""
    return in_seq_order(engine, ExceptionEntryRow, batch_size=batch_size)


def chain_head(engine: Engine) -> ExceptionChainHead | None:
    with Session(engine) as session:
        return session.get(ExceptionChainHead, 1)
