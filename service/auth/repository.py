"""All SQL of API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from service.auth.tables import ApiKeyRow
from service.errors import StorageUnavailable


def add(engine: Engine, row: ApiKeyRow) -> ApiKeyRow:
    try:
        with Session(engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            return row
    except SQLAlchemyError as exc:
        raise StorageUnavailable(f"the key could not be stored ({type(exc).__name__})") from exc


def by_hash(engine: Engine, key_sha256: str) -> ApiKeyRow | None:
    try:
        with Session(engine) as session:
            return session.exec(select(ApiKeyRow).where(ApiKeyRow.key_sha256 == key_sha256)).first()
    except SQLAlchemyError as exc:
        raise StorageUnavailable(f"keys could not be read ({type(exc).__name__})") from exc


def by_id(engine: Engine, key_id: str) -> ApiKeyRow | None:
    try:
        with Session(engine) as session:
            return session.get(ApiKeyRow, key_id)
    except SQLAlchemyError as exc:
        raise StorageUnavailable(f"keys could not be read ({type(exc).__name__})") from exc


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(ApiKeyRow.key_id)).all())


def list_all(engine: Engine) -> list[ApiKeyRow]:
    with Session(engine) as session:
        return list(session.exec(select(ApiKeyRow).order_by(col(ApiKeyRow.created_at))).all())


def revoke(engine: Engine, key_id: str, *, at: datetime) -> ApiKeyRow | None:
    """Mark a key revoked (idempotent: the first revocation time is kept)."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(ApiKeyRow, key_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            session.add(row)
            session.commit()
        return row
