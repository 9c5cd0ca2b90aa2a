"""All SQL of the policy revision archive."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from service.errors import StorageUnavailable
from service.policies.tables import PolicyRevisionRow


def add_once(engine: Engine, row: PolicyRevisionRow) -> bool:
    """Insert the revision unless it is archived already (safe to race: replicas and workers
    all archive what they serve); True when this call stored it."""
    try:
        with Session(engine) as session:
            if session.get(PolicyRevisionRow, row.revision) is not None:
                return False
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another process archived it first
                return False
            return True
    except SQLAlchemyError as exc:
        raise StorageUnavailable(
            f"the policy revision {row.revision[:12]} could not be archived "
            f"({type(exc).__name__}); no decision is made under a revision not archived"
        ) from exc


def get(engine: Engine, revision: str) -> PolicyRevisionRow | None:
    with Session(engine) as session:
        return session.get(PolicyRevisionRow, revision)


def list_all(engine: Engine) -> list[tuple[str, object, int]]:
    """(revision, first_served_at, rule_count) of every archived revision, oldest first,
    without the files."""
    query = select(
        PolicyRevisionRow.revision, PolicyRevisionRow.first_served_at, PolicyRevisionRow.rule_count
    ).order_by(col(PolicyRevisionRow.first_served_at), col(PolicyRevisionRow.revision))
    with Session(engine) as session:
        return [(r, at, n) for r, at, n in session.exec(query).all()]
