"""Database engine and sessions (SQLite by default, PostgreSQL for several replicas)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Dialect, Engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlmodel import create_engine

# About one decision record (bodies run 8-16 KB): the probe needs the room a decision needs.
PROBE_BYTES = 16 * 1024


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_serialised_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_serialised_writes(engine: Engine) -> None:
    """WAL for concurrent readers, a busy timeout so writers queue, and explicit BEGIN.

    pysqlite's own transaction handling is replaced by SQLAlchemy's documented recipe
    ("Serializable isolation / Savepoints / Transactional DDL" for pysqlite) so every
    statement of an append, starting with the chain-head UPDATE, is in one transaction.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def recycle(engine: Engine) -> None:
    """Drop every pooled connection after a storage error. A SQLite connection opened while the
    file was read-only stays read-only after the permission comes back (and a PostgreSQL one may
    be dead): new connections are the way back without a restart."""
    engine.dispose()


def probe_writable(engine: Engine) -> None:
    """Commit a record-sized write (fresh random bytes, so pages really change) to the scratch
    table: it meets a full or read-only disk as a decision would. Raises SQLAlchemyError, after
    recycling the pool so the next probe or decision starts on fresh connections."""
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM storage_probe"))
            connection.execute(
                text(
                    "INSERT INTO storage_probe (id, written_at, payload) "
                    "VALUES (1, :written_at, :payload)"
                ),
                {"written_at": datetime.now(UTC), "payload": secrets.token_bytes(PROBE_BYTES)},
            )
    except SQLAlchemyError:
        recycle(engine)
        raise


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every replica.
_MIGRATION_LOCK_ID = 0x7469657267617465  # "tiergate"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (replicas may start together)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Serialise concurrent upgrades across replicas; released at commit.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextlib.contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations of workers sharing one SQLite file (PostgreSQL uses a lock)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement compiled once for a dialect, to run on the driver's own cursor.

    For the few statements on every decision's path (the log append, the active-exceptions
    read): SQLAlchemy's per-execution machinery (execution context, events, result rows) cost
    more CPU than the statements themselves (append 1.31-1.46 -> 0.82-0.86 ms, the exceptions
    read ~190 -> ~35 µs). The text, the bind order and the value conversions are SQLAlchemy's
    own, taken from the compiled statement, so the driver is given exactly what SQLAlchemy
    would give it (a datetime as SQLite's text form, in UTC)."""

    sql: str
    positions: tuple[str, ...] | None  # bind names in order for a positional paramstyle
    fixed: Mapping[str, Any]  # binds that are literals of the statement (`id = 1`)
    convert: Mapping[str, Callable[[Any], Any]]  # bind name -> its type's processor

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for one execution with `values` for the open binds."""
        bound = {**self.fixed, **values}
        for name, convert in self.convert.items():
            if bound.get(name) is not None:
                bound[name] = convert(bound[name])
        return tuple(bound[name] for name in self.positions) if self.positions else bound


@functools.cache
def driver_statement(
    statement: ClauseElement, dialect: Dialect, columns: tuple[str, ...] = ()
) -> DriverStatement:
    """`statement` compiled for `dialect` (an INSERT for `columns`, all bound)."""
    compiled = cast(
        SQLCompiler, statement.compile(dialect=dialect, column_keys=list(columns) or None)
    )
    convert, fixed = {}, {}
    for bind, name in compiled.bind_names.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[name] = processor
        if bind.value is not None and name not in columns:
            fixed[name] = bind.value
    positions = compiled.positiontup if dialect.positional else None
    return DriverStatement(compiled.string, tuple(positions) if positions else None, fixed, convert)


def run_on_driver(
    dbapi_connection: Any,
    dialect: Dialect,
    statement: DriverStatement,
    values: Sequence[Mapping[str, Any]] = ({},),
) -> list[tuple[Any, ...]]:
    """Execute `statement` once per item of `values` on the driver's cursor (within whatever
    transaction the connection is in); the rows of a single execution, if any. A driver error
    is raised as the SQLAlchemy error it would have been (IntegrityError, OperationalError,
    … with the driver's error as .orig), so callers handle one family of errors."""
    cursor = dbapi_connection.cursor()
    try:
        if len(values) == 1:
            cursor.execute(statement.sql, statement.parameters(values[0]))
            return list(cursor.fetchall()) if cursor.description else []
        cursor.executemany(statement.sql, [statement.parameters(v) for v in values])
        return []
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            statement.sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc
    finally:
        cursor.close()


def as_utc(value: datetime) -> datetime:
    """A time read back from the database, in UTC: SQLite hands back naive datetimes (every
    stored time is UTC), PostgreSQL aware ones in the session's zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
