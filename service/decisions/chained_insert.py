"""The append both hash-chained logs share (the decision log and the exception log, each with
its own head row): lock the head, seal each entry on top of the one before, insert, move the
head. SQL in the caller's transaction; each log's repository owns the transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, insert, update


class _Sealed(Protocol):
    hash: str

    def model_dump(self) -> dict[str, Any]: ...


Row = TypeVar("Row", bound=_Sealed)


def lock_head(connection: Connection, head_type: type[Any]) -> tuple[int, str]:
    """Within the caller's transaction: lock the chain-head row (table of `head_type`) and
    read its seq and hash. An UPDATE, first in the transaction: it takes the row lock on
    PostgreSQL and the write lock on SQLite, so concurrent writers (threads, workers,
    replicas) queue here and each sees what the previous one committed."""
    head = head_type.__table__
    seq, head_hash = connection.execute(
        update(head).where(head.c.id == 1).values(seq=head.c.seq).returning(head.c.seq, head.c.hash)
    ).one()
    return int(seq), str(head_hash)


def extend_chain(
    connection: Connection,
    head_type: type[Any],
    row_type: type[Any],
    seals: Sequence[Callable[[int, str], Row]],
    *,
    head: tuple[int, str],
) -> list[Row]:
    """Under the lock of lock_head (which returned `head`): seal each next entry on top of the
    one before, insert them all, move the head to the last (the decision log and the exception
    log append this way)."""
    seq, prev_hash = head
    rows: list[Row] = []
    for seal in seals:
        seq += 1
        rows.append(seal(seq, prev_hash))
        prev_hash = rows[-1].hash
    if rows:
        table = head_type.__table__
        connection.execute(insert(row_type), [row.model_dump() for row in rows])
        connection.execute(update(table).where(table.c.id == 1).values(seq=seq, hash=prev_hash))
    return rows


def append_on_head(
    connection: Connection,
    head_type: type[Any],
    row_type: type[Any],
    seal: Callable[[int, str], Row],
) -> Row:
    """Within the caller's transaction: lock the head, seal the next entry, insert it."""
    head = lock_head(connection, head_type)
    return extend_chain(connection, head_type, row_type, [seal], head=head)[0]
