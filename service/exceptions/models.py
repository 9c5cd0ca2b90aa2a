"""Request and entry models of /v1/exceptions: approved exceptions and their revocations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.policies.vocabulary import ExceptionScope, Instant


class ExceptionCreate(BaseModel):
    """Body of POST /v1/exceptions: an approved deviation from one rule, scoped and dated."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(
        max_length=128,
        pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$",
        description="The rule waived (GET /v1/policies lists them, with `exceptable`).",
    )
    scope: ExceptionScope = Field(
        description="What the exception is limited to; at least one field. Organisation and "
        "workload name are given in clear and stored as the decision record stores them "
        "(salted digests)."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why it was approved.")
    approved_by: str = Field(
        min_length=1, max_length=200, description="Who approved it (the person, by name and role)."
    )
    reference: str = Field(
        min_length=1, max_length=200, description="Number of the approval document."
    )
    valid_from: Instant | None = Field(
        default=None, description="When it starts to apply (whole seconds; default now)."
    )
    expires_at: Instant = Field(
        description="When it stops applying (exclusive, whole seconds): at most "
        "TIERGATE_EXCEPTION_MAX_DAYS (default 366) days after valid_from."
    )


class RevocationCreate(BaseModel):
    """Body of POST /v1/exceptions/{exception_id}/revoke."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, description="Why it is revoked.")


class RecordedBy(BaseModel):
    """The API key that recorded the entry (both null with authentication off)."""

    key_id: str | None
    key_name: str | None


class EntryIntegrity(BaseModel):
    seq: int = Field(description="Position in the exception log, 1-based, gap-free.")
    prev_hash: str
    hash: str
    signature: str
    key_id: str
    algorithm: str = "ed25519"


class ExceptionEntry(BaseModel):
    """An approved exception as sealed in the exception log (sent exactly as sealed: sha256
    of its RFC 8785 JSON without integrity.hash/.signature is integrity.hash)."""

    id: str
    kind: Literal["exception"]
    created_at: datetime
    rule_id: str
    scope: ExceptionScope
    masked_fields: list[str] = Field(description="Scope fields stored as salted digests.")
    reason: str
    approved_by: str
    reference: str
    valid_from: str
    expires_at: str
    recorded_by: RecordedBy
    integrity: EntryIntegrity


class RevocationEntry(BaseModel):
    """The revocation of an exception, sealed in the same log."""

    id: str
    kind: Literal["revocation"]
    created_at: datetime
    exception_id: str
    reason: str
    recorded_by: RecordedBy
    integrity: EntryIntegrity


ExceptionStatus = Literal["pending", "active", "expired", "revoked"]


class ExceptionState(BaseModel):
    exception: ExceptionEntry
    revocation: RevocationEntry | None = None
    status: ExceptionStatus = Field(description="At the time of the request.")


class ExceptionPage(BaseModel):
    items: list[ExceptionState]
