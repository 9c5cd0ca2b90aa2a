"""HTTP routes of the decision log's audit side: verify both logs, a signed checkpoint of the
chain head, exports, and the public keys that sign records (open, for offline verification).
The records themselves are served by service.decisions.routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from service.api.deps import DbDep
from service.api.schemas import error_responses
from service.api.use_case_deps import SigningKeyDep
from service.db import as_utc
from service.decisions import audit, repository
from service.roles import Role, requires

# Included before service.decisions.routes.router: `/verify` and the others must be matched
# before that router's `/{decision_id}`.
router = APIRouter(prefix="/v1/decisions", tags=["decisions"])

keys_router = APIRouter(prefix="/v1/keys", tags=["decisions"])


class ChainReport(BaseModel):
    ok: bool
    checked: int
    first_bad_id: str | None
    reason: str | None = None


class VerifyReport(BaseModel):
    """Both logs: `ok` only when the decision chain (with every exception a record cites) and
    the exception log check; `checked`, `first_bad_id` and `reason` name the decision chain
    first, then the exception log."""

    ok: bool
    checked: int
    first_bad_id: str | None
    reason: str | None = None
    exceptions: ChainReport = Field(description="The exception log (its own chain).")


class PublicKey(BaseModel):
    key_id: str
    algorithm: str
    key: str
    added_at: datetime = Field(description="When a service process first registered the key.")
    current: bool = Field(description="Whether this service process signs with it now.")


class KeySet(BaseModel):
    keys: list[PublicKey]


class Checkpoint(BaseModel):
    seq: int = Field(description="Number of records in the chain (the head's position).")
    hash: str = Field(description="Hash of the head record (64 zeros for an empty log).")
    issued_at: str
    key_id: str
    algorithm: str
    signature: str = Field(
        description="Ed25519 over sha256 of the RFC 8785 JSON of the other fields."
    )


@router.get("/checkpoint", response_model=Checkpoint, dependencies=[requires(Role.auditor)])
def decisions_checkpoint(db: DbDep, signing_key: SigningKeyDep) -> Checkpoint:
    """A signed statement of the chain head to keep outside tiergate: `tiergate verify
    --checkpoint` then proves a later export still holds that history (no tail removed)."""
    return Checkpoint(**audit.checkpoint(db, signing_key, datetime.now(UTC)))


@router.get("/verify", response_model=VerifyReport, dependencies=[requires(Role.auditor)])
async def verify_decisions(db: DbDep) -> VerifyReport:
    """Walk the whole chain (links, hashes, signatures, index columns, cited exceptions) and
    the exception log."""
    result = await run_in_threadpool(audit.verify_with_key_ring, db)
    exceptions = result.exceptions
    return VerifyReport(
        ok=result.ok,
        checked=result.checked,
        first_bad_id=result.first_bad_id,
        reason=result.reason,
        exceptions=ChainReport(
            ok=exceptions.ok,
            checked=exceptions.checked,
            first_bad_id=exceptions.first_bad_id,
            reason=exceptions.reason,
        ),
    )


@router.get(
    "/export",
    responses={
        200: {
            "description": "Streamed export (JSONL: one full record per line; CSV: index columns).",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        },
        **error_responses(422),
    },
    dependencies=[requires(Role.auditor)],
)
def export_decisions(db: DbDep, format: Literal["jsonl", "csv"] = "jsonl") -> StreamingResponse:
    """Export every decision in chain order, streamed (verifiable offline when JSONL)."""
    if format == "csv":
        return StreamingResponse(
            audit.export_csv(db),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="decisions.csv"'},
        )
    return StreamingResponse(
        audit.export_jsonl(db),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="decisions.jsonl"'},
    )


@keys_router.get("", response_model=KeySet)
def list_signing_keys(db: DbDep, signing_key: SigningKeyDep) -> KeySet:
    """Every public key that signs or signed this log's decisions, oldest first (pass them to
    `tiergate verify --keys`). Auditors should keep a copy: a key appearing that nobody rotated
    in is a sign the database was written by someone other than tiergate."""
    current = signing_key.key_id
    return KeySet(
        keys=[
            PublicKey(
                key_id=row.key_id,
                algorithm=row.algorithm,
                key=row.public_key,
                added_at=as_utc(row.added_at),
                current=row.key_id == current,
            )
            for row in repository.signing_keys(db)
        ]
    )
