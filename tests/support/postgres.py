"""Checks shared by the PostgreSQL tests of the append-only tables."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError


def assert_append_only(postgres_url: str, table: str, *, update: str, rows: int) -> None:
    """UPDATE (`SET update`), DELETE and TRUNCATE of `table` are refused by the triggers the
    migrations install, and the table still holds `rows` rows afterwards."""
    engine = create_engine(postgres_url)
    try:
        for statement in (
            f"UPDATE {table} SET {update}",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        assert count == rows, f"{table} holds {count} rows, expected {rows}"
    finally:
        engine.dispose()
