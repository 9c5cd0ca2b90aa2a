"""SQL the evidence pack and the dashboard need from the decision log (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from service.decisions import repository as decisions_repository
from service.decisions.tables import DecisionRow


def seq_range(
    engine: Engine, *, since: datetime | None, until: datetime | None
) -> tuple[int, int] | None:
    """First and last seq of the records created in [since, until), or None when there are none."""
    query = select(func.min(DecisionRow.seq), func.max(DecisionRow.seq))
    if since:
        query = query.where(DecisionRow.created_at >= since)
    if until:
        query = query.where(DecisionRow.created_at < until)
    with Session(engine) as session:
        low, high = session.exec(query).one()
    return None if low is None else (int(low), int(high))


def rows_between(
    engine: Engine, first: int, last: int, *, batch_size: int = 500
) -> Iterator[DecisionRow]:
    """Records first..last (inclusive) in chain order, a batch at a time."""
    return decisions_repository.iterate_in_order(
        engine, first=first, last=last, batch_size=batch_size
    )


@dataclass(frozen=True)
class IndexEntry:
    """The index columns of one record (what counts need; the body is not parsed)."""

    created_at: datetime
    sector: str
    verdict: str
    tier: str
    rule_ids: tuple[str, ...]


def index_entries(
    engine: Engine, *, since: datetime | None, until: datetime | None
) -> list[IndexEntry]:
    # Core select: five columns is past sqlmodel's typed select overloads.
    query = core_select(
        col(DecisionRow.created_at),
        col(DecisionRow.sector),
        col(DecisionRow.verdict),
        col(DecisionRow.tier),
        col(DecisionRow.rule_ids),
    )
    if since:
        query = query.where(col(DecisionRow.created_at) >= since)
    if until:
        query = query.where(col(DecisionRow.created_at) < until)
    with Session(engine) as session:
        rows = session.execute(query.order_by(col(DecisionRow.seq))).all()
    return [
        IndexEntry(created_at=c, sector=s, verdict=v, tier=t, rule_ids=tuple(r.split()))
        for c, s, v, t, r in rows
    ]
