"""SQL table of audit events. Append-only: rows are inserted, never updated or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class AuditEventRow(SQLModel, table=True):
    """One audited operation: who (key), what (action), when, with which parameters."""

    __tablename__ = "audit_events"

    seq: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    key_id: str | None = Field(default=None, index=True, max_length=32)
    key_name: str | None = Field(default=None, max_length=100)
    action: str = Field(index=True, max_length=64)
    parameters: str = Field(default="{}", description="JSON object of the operation's inputs.")
    request_id: str | None = Field(default=None, max_length=128)
