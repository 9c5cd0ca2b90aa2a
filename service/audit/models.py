"""What the API shows of audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEvent(BaseModel):
    seq: int = Field(description="Position in the audit log, increasing.")
    at: datetime
    key_id: str | None = Field(description="API key that made the call (null: auth off).")
    key_name: str | None
    action: str = Field(description="What was done, e.g. decisions.export, keys.create.")
    parameters: dict[str, Any] = Field(description="The operation's path, query and body fields.")
    request_id: str | None


class AuditEventPage(BaseModel):
    items: list[AuditEvent]
    next_cursor: str | None
