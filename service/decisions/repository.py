"""All SQL of the decision log. Appends are serialised through the chain-head row; several
may share one transaction (append_batch, used by service.decisions.group_commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from service.db import recycle
from service.decisions.chained_insert import extend_chain, lock_head
from service.decisions.tables import ChainHead, DecisionRow, SigningKeyRow
from service.errors import StorageUnavailable
from service.exceptions.tables import ExceptionEntryRow

_Row = TypeVar("_Row", DecisionRow, ExceptionEntryRow)


def ensure_chain_head(engine: Engine) -> None:
    """Create the single chain-head row if this is a new database (safe to race)."""
    with Session(engine) as session:
        if session.get(ChainHead, 1) is None:
            session.add(ChainHead(id=1))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another worker created it first


def register_signing_key(engine: Engine, row: SigningKeyRow) -> None:
    """Add this process's public key to the log's key ring unless it is there (safe to race:
    replicas and workers sharing a key all register it at start)."""
    with Session(engine) as session:
        if session.get(SigningKeyRow, row.key_id) is not None:
            return
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process registered the same key first


def signing_keys(engine: Engine) -> list[SigningKeyRow]:
    """Every key that signs or signed records of this log, oldest first."""
    with Session(engine) as session:
        query = select(SigningKeyRow).order_by(
            col(SigningKeyRow.added_at), col(SigningKeyRow.key_id)
        )
        return list(session.exec(query).all())


class DuplicateIdempotencyKey(Exception):
    """Another request with the same Idempotency-Key committed first."""


Seal = Callable[[int, str], DecisionRow]


def append(engine: Engine, *, seal: Seal) -> DecisionRow:
    """Seal the next record on top of the chain head and store it, atomically (a batch of
    one: append_batch)."""
    appended = append_batch(engine, [(seal, None)])[0]
    assert appended is not None  # no idempotency key, so never a duplicate
    return appended


def append_batch(
    engine: Engine, appends: Sequence[tuple[Seal, str | None]]
) -> list[DecisionRow | None]:
    """Seal and store several records in one transaction (one commit, one fsync), in order,
    each on top of the one before; each comes with its idempotency key (or None). Where the
    key is already taken, by a committed record or one earlier in this batch, that append is
    left out and its place in the answer is None. All or nothing: StorageUnavailable means
    none of them was recorded.

    Driver statements (service.decisions.chained_insert), not the ORM unit of work: this
    runs under the chain lock.
    """
    try:
        with engine.begin() as connection:
            head = lock_head(connection, ChainHead)
            taken = _taken_idempotency_keys(connection, [key for _, key in appends if key])
            kept: list[bool] = []
            for _seal, key in appends:
                kept.append(key is None or key not in taken)
                if key is not None:
                    taken.add(key)
            seals = [seal for (seal, _key), keep in zip(appends, kept, strict=True) if keep]
            rows = iter(extend_chain(connection, ChainHead, DecisionRow, seals, head=head))
    except SQLAlchemyError as exc:
        if isinstance(exc, IntegrityError) and "idempotency" in str(exc.orig).lower():
            raise DuplicateIdempotencyKey from exc  # a writer that did not take the head lock
        recycle(engine)  # pooled connections may stay read-only or dead after this
        raise StorageUnavailable(
            f"the decision could not be stored ({type(exc).__name__}); nothing was recorded"
        ) from exc
    return [next(rows) if keep else None for keep in kept]


def _taken_idempotency_keys(connection: Connection, keys: list[str]) -> set[str]:
    """Which of `keys` committed records already hold (read under the head lock)."""
    if not keys:
        return set()
    query = select(DecisionRow.idempotency_key).where(col(DecisionRow.idempotency_key).in_(keys))
    return {str(key) for key in connection.execute(query).scalars()}


def get(engine: Engine, decision_id: str) -> DecisionRow | None:
    with Session(engine) as session:
        return session.exec(select(DecisionRow).where(DecisionRow.id == decision_id)).first()


def get_by_idempotency_key(engine: Engine, key: str) -> DecisionRow | None:
    with Session(engine) as session:
        return session.exec(select(DecisionRow).where(DecisionRow.idempotency_key == key)).first()


@dataclass(frozen=True)
class DecisionFilter:
    sector: str | None = None
    verdict: str | None = None
    tier: str | None = None
    rule_id: str | None = None
    organization: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Any, filters: DecisionFilter) -> Any:
    if filters.sector:
        query = query.where(DecisionRow.sector == filters.sector)
    if filters.verdict:
        query = query.where(DecisionRow.verdict == filters.verdict)
    if filters.tier:
        query = query.where(DecisionRow.tier == filters.tier)
    if filters.organization is not None:
        query = query.where(DecisionRow.organization == filters.organization)
    if filters.rule_id:
        # autoescape: `_` in a rule id is a character, not LIKE's any-one-character wildcard
        query = query.where(
            col(DecisionRow.rule_ids).contains(f" {filters.rule_id} ", autoescape=True)
        )
    if filters.since:
        query = query.where(DecisionRow.created_at >= filters.since)
    if filters.until:
        query = query.where(DecisionRow.created_at < filters.until)
    return query


def list_page(
    engine: Engine, *, filters: DecisionFilter, limit: int, before_seq: int | None
) -> list[DecisionRow]:
    """Newest first; `before_seq` is the keyset cursor (the last seq of the previous page)."""
    query = _filtered(select(DecisionRow), filters)
    if before_seq is not None:
        query = query.where(DecisionRow.seq < before_seq)
    query = query.order_by(col(DecisionRow.seq).desc()).limit(limit)
    with Session(engine) as session:
        return list(session.exec(query).all())


def matching_seqs(engine: Engine, *, filters: DecisionFilter, limit: int | None) -> list[int]:
    """Chain positions of the records matching `filters`, oldest first; with `limit`, the
    newest `limit` of them (an impact analysis reads the bodies a batch at a time)."""
    query = _filtered(select(DecisionRow.seq), filters).order_by(col(DecisionRow.seq).desc())
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        return sorted(int(seq) for seq in session.exec(query).all())


def rows_at(engine: Engine, seqs: list[int]) -> list[DecisionRow]:
    """The records at these chain positions, in chain order."""
    query = select(DecisionRow).where(col(DecisionRow.seq).in_(seqs)).order_by(col(DecisionRow.seq))
    with Session(engine) as session:
        return list(session.exec(query).all())


def iterate_in_order(
    engine: Engine, *, first: int = 1, last: int | None = None, batch_size: int = 500
) -> Iterator[DecisionRow]:
    """Records first..last (inclusive; default every record) in chain order, a batch at a time
    (bounded memory for verify, export and evidence packs)."""
    return in_seq_order(engine, DecisionRow, first=first, last=last, batch_size=batch_size)


def in_seq_order(
    engine: Engine,
    row_model: type[_Row],
    *,
    first: int = 1,
    last: int | None = None,
    batch_size: int = 500,
) -> Iterator[_Row]:
    """Rows of a hash-chained table (either log) with seq first..last, in chain order, a batch
    at a time."""
    after = first - 1
    while last is None or after < last:
        query = select(row_model).where(col(row_model.seq) > after)
        if last is not None:
            query = query.where(col(row_model.seq) <= last)
        with Session(engine) as session:
            batch = list(session.exec(query.order_by(col(row_model.seq)).limit(batch_size)).all())
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def chain_head(engine: Engine) -> ChainHead | None:
    with Session(engine) as session:
        return session.get(ChainHead, 1)


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(text("SELECT count(*) FROM decisions")).scalar_one())
