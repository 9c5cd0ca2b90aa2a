"""SQL tables of the decision log. Append-only: rows are inserted, never updated or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DecisionRow(SQLModel, table=True):
    """One sealed decision. `body` is the canonical JSON the hash covers; the other columns
    duplicate a few of its fields for filtering (verify checks they still agree)."""

    __tablename__ = "decisions"

    seq: int = Field(primary_key=True, description="Position in the chain, 1-based, gap-free.")
    id: str = Field(index=True, unique=True, max_length=36)
    created_at: datetime = Field(index=True)
    sector: str = Field(index=True, max_length=32)
    verdict: str = Field(index=True, max_length=8)
    tier: str = Field(index=True, max_length=32)
    organization: str = Field(default="", index=True, max_length=200)
    rule_ids: str = Field(default="", description="Space-separated rule ids, for filtering.")
    input_sha256: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    signature: str = Field(max_length=128)
    key_id: str = Field(max_length=64)
    body: str
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)


class ChainHead(SQLModel, table=True):
    """The single row that serialises appends: writers lock it with an UPDATE first."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class SigningKeyRow(SQLModel, table=True):
    """A public key that signs (or signed) decisions in this log. Registered by each service
    process at start; never removed, so a rotated key keeps verifying the records it signed."""

    __tablename__ = "signing_keys"

    key_id: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    public_key: str = Field(max_length=128)
    added_at: datetime
