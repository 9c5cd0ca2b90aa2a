"""All SQL of audit events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from service.audit.tables import AuditEventRow
from service.errors import StorageUnavailable


def add(engine: Engine, row: AuditEventRow) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(insert(AuditEventRow), [row.model_dump(exclude={"seq"})])
    except SQLAlchemyError as exc:
        raise StorageUnavailable(
            f"the audit event could not be stored ({type(exc).__name__}); the operation is refused"
        ) from exc


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    key_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(filters: AuditFilter):  # type: ignore[no-untyped-def]
    query = select(AuditEventRow)
    if filters.action:
        query = query.where(AuditEventRow.action == filters.action)
    if filters.key_id:
        query = query.where(AuditEventRow.key_id == filters.key_id)
    if filters.since:
        query = query.where(AuditEventRow.at >= filters.since)
    if filters.until:
        query = query.where(AuditEventRow.at < filters.until)
    return query


def list_page(
    engine: Engine, *, filters: AuditFilter, limit: int, before_seq: int | None
) -> list[AuditEventRow]:
    """Newest first; `before_seq` is the keyset cursor (the last seq of the previous page)."""
    query = _filtered(filters)
    if before_seq is not None:
        query = query.where(col(AuditEventRow.seq) < before_seq)
    query = query.order_by(col(AuditEventRow.seq).desc()).limit(limit)
    with Session(engine) as session:
        return list(session.exec(query).all())


def iterate_in_order(
    engine: Engine, *, filters: AuditFilter, batch_size: int = 500
) -> Iterator[AuditEventRow]:
    """Matching events oldest first, a batch at a time."""
    after = 0
    while True:
        query = (
            _filtered(filters)
            .where(col(AuditEventRow.seq) > after)
            .order_by(col(AuditEventRow.seq))
            .limit(batch_size)
        )
        with Session(engine) as session:
            batch = list(session.exec(query).all())
        if not batch:
            return
        yield from batch
        after = int(batch[-1].seq or 0)
