"""SQL table of API keys: only the SHA-256 of each key is stored."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"

    key_id: str = Field(primary_key=True, max_length=32)
    key_sha256: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=100)
    roles: str = Field(max_length=100, description="Space-separated roles.")
    created_at: datetime
    revoked_at: datetime | None = None
