"""SQL tables of the exception log. Append-only: entries are inserted, never updated or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class ExceptionEntryRow(SQLModel, table=True):
    """One sealed entry of the exception log: an exception granted, or the revocation of one.
    `body` is the canonical JSON the hash covers; the other columns duplicate a few of its
    fields for lookups (verify checks they still agree)."""

    __tablename__ = "exception_entries"

    seq: int = Field(primary_key=True, description="Position in the chain, 1-based, gap-free.")
    id: str = Field(index=True, unique=True, max_length=36)
    kind: str = Field(max_length=16, description="exception | revocation")
    exception_id: str = Field(
        index=True, max_length=36, description="The exception granted or revoked."
    )
    revokes: str | None = Field(
        default=None,
        unique=True,
        max_length=36,
        description="The exception a revocation revokes (unique: revoked once).",
    )
    rule_id: str = Field(default="", index=True, max_length=128)
    valid_from: datetime | None = Field(default=None)
    expires_at: datetime | None = Field(default=None, index=True)
    created_at: datetime
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    signature: str = Field(max_length=128)
    key_id: str = Field(max_length=64)
    body: str


class ExceptionChainHead(SQLModel, table=True):
    """The single row that serialises appends to the exception log (its own chain)."""

    __tablename__ = "exception_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
