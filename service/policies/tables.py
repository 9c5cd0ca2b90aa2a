"""SQL table of the policy revision archive. Append-only: a revision is inserted once, never
updated or deleted (on PostgreSQL the table refuses it, migration 0006)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class PolicyRevisionRow(SQLModel, table=True):
    """One policy revision the service served: the exact files behind its digest."""

    __tablename__ = "policy_revisions"

    revision: str = Field(primary_key=True, max_length=64)
    first_served_at: datetime = Field(index=True)
    rule_count: int
    files: str = Field(description="RFC 8785 JSON object: path below policies/ → file text.")
