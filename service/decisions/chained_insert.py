"""The append both hash-chained logs share (the decision log and the exception log, each with
its own head row): lock the head, seal each entry on top of the one before, insert, move the
head. SQL in the caller's transaction; each log's repository owns the transaction.

The three statements go to the database driver's cursor as SQL text built once per log and
dialect, not through SQLAlchemy's statement execution: they run on every decision, under the
chain lock, and SQLAlchemy's per-statement machinery (execution context, parameter and
result processing) was two thirds of the append's CPU (Core 1.31-1.46 ms vs the same
statements on the driver 0.82-0.86 ms per one-record append, thread_time, SQLite with
synchronous=FULL). The transaction, pool and connection set-up stay SQLAlchemy's; values
are converted as SQLAlchemy would (each column type's bind processor for the dialect), and a
driver error is raised as the SQLAlchemy error it would have been, so callers see no
difference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError


class _Sealed(Protocol):
    hash: str

    def model_dump(self) -> dict[str, Any]: ...


Row = TypeVar("Row", bound=_Sealed)


@dataclass(frozen=True)
class _Statements:
    """A log's append as the driver's SQL text, for one dialect."""

    lock: str
    insert: str
    move: str
    columns: tuple[str, ...]
    # Per column, the dialect's conversion of a Python value (a datetime to SQLite's text form),
    # or None where the driver takes the value as it is.
    convert: tuple[Callable[[Any], Any] | None, ...]


@functools.cache
def _statements(head: Table, table: Table, dialect: Dialect) -> _Statements:
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"  # sqlite3; psycopg's positional form
    head_name, table_name = quote.format_table(head), quote.format_table(table)
    columns = tuple(column.name for column in table.columns)
    # Text from the table metadata only (names quoted by the dialect), every value bound.
    return _Statements(
        # An UPDATE first in the transaction: the row lock on PostgreSQL, the write lock on
        # SQLite (see lock_head).
        lock=f"UPDATE {head_name} SET seq = seq WHERE id = 1 RETURNING seq, hash",  # noqa: S608
        insert=(
            f"INSERT INTO {table_name} ({', '.join(quote.quote(name) for name in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(mark for _ in columns)})"
        ),
        move=f"UPDATE {head_name} SET seq = {mark}, hash = {mark} WHERE id = 1",  # noqa: S608
        columns=columns,
        convert=tuple(column.type.bind_processor(dialect) for column in table.columns),
    )


def _execute(
    connection: Connection, sql: str, parameters: Sequence[Any] = (), *, many: bool = False
) -> list[tuple[Any, ...]]:
    """Run one statement on the driver within `connection`'s transaction; its rows, if any."""
    cursor = connection.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
            return []
        cursor.execute(sql, parameters)
        return list(cursor.fetchall()) if cursor.description else []
    except connection.dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it: IntegrityError, OperationalError, … with the driver's
        # error as .orig (the repositories tell a duplicate key from a storage fault by it).
        raise DBAPIError.instance(
            sql, None, exc, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from exc
    finally:
        cursor.close()


def lock_head(connection: Connection, head_type: type[Any], row_type: type[Any]) -> tuple[int, str]:
    """Within the caller's transaction: lock the chain-head row (table of `head_type`, the
    head of the log of `row_type`) and read its seq and hash. An UPDATE, first in the
    transaction: it takes the row lock on PostgreSQL and the write lock on SQLite, so
    concurrent writers (threads, workers, replicas) queue here and each sees what the
    previous one committed."""
    sql = _statements(head_type.__table__, row_type.__table__, connection.dialect)
    ((seq, head_hash),) = _execute(connection, sql.lock)
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
        sql = _statements(head_type.__table__, row_type.__table__, connection.dialect)
        values = [_values(sql, row.model_dump()) for row in rows]
        _execute(connection, sql.insert, values, many=True)
        _execute(connection, sql.move, (seq, prev_hash))
    return rows


def _values(sql: _Statements, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        value if convert is None or value is None else convert(value)
        for value, convert in zip((row[name] for name in sql.columns), sql.convert, strict=True)
    )


def append_on_head(
    connection: Connection,
    head_type: type[Any],
    row_type: type[Any],
    seal: Callable[[int, str], Row],
) -> Row:
    """Within the caller's transaction: lock the head, seal the next entry, insert it."""
    head = lock_head(connection, head_type, row_type)
    return extend_chain(connection, head_type, row_type, [seal], head=head)[0]
