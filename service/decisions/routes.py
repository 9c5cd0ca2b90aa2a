"""HTTP routes of the decision log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from service.api.deps import (
    CatalogDep,
    DbDep,
    MaskerDep,
    PolicyEngineDep,
    RequestIdDep,
    SettingsDep,
    SigningKeyDep,
)
from service.api.schemas import error_responses
from service.auth.access import PrincipalDep, holds, requires
from service.auth.models import Role
from service.db import as_utc
from service.decisions import audit, replay, repository, service
from service.decisions.models import (
    DecisionPage,
    DecisionRecord,
    DecisionRequest,
    DryRun,
    ReplayReport,
)
from service.decisions.repository import DecisionFilter
from service.observability.metrics import count_decision
from service.policies.vocabulary import Instant, Sector, Tier, Verdict

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


keys_router = APIRouter(prefix="/v1/keys", tags=["decisions"])

evaluations_router = APIRouter(prefix="/v1/evaluations", tags=["decisions"])


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


@router.post(
    "",
    status_code=201,
    response_model=DecisionRecord,
    responses=error_responses(403, 409, 422, 503),
    dependencies=[requires(Role.submitter)],
)
async def create_decision(
    body: DecisionRequest,
    policy_engine: PolicyEngineDep,
    catalog: CatalogDep,
    db: DbDep,
    signing_key: SigningKeyDep,
    masker: MaskerDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
    caller: PrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Retry-safe key: the same key and body return the original record.",
        ),
    ] = None,
) -> JSONResponse:
    """Evaluate a workload against the policies, size it, and record the decision."""
    created = await service.evaluate(
        body,
        policy_engine=policy_engine,
        catalog=catalog,
        db=db,
        signing_key=signing_key,
        masker=masker,
        clock_skew=timedelta(seconds=settings.evaluation_time_skew_seconds),
        may_backdate=holds(caller, Role.backdate),
        caller_key_id=caller.key_id if caller else None,
        request_id=request_id,
        idempotency_key=idempotency_key,
        submitted_by={
            "key_id": caller.key_id if caller else None,
            "key_name": caller.name if caller else None,
        },
    )
    if not created.replayed:
        count_decision(created.record["verdict"], created.record["tier"]["selected"])
    headers = {"Idempotent-Replayed": "true"} if created.replayed else None
    return _sealed(created.record, status_code=201, headers=headers)


@evaluations_router.post(
    "",
    response_model=DryRun,
    responses=error_responses(422, 503),
    dependencies=[requires(Role.submitter)],
)
async def create_evaluation(
    body: DecisionRequest,
    db: DbDep,
    policy_engine: PolicyEngineDep,
    catalog: CatalogDep,
    masker: MaskerDep,
    request_id: RequestIdDep,
    caller: PrincipalDep,
    explain: Annotated[
        bool,
        Query(description="Add every catalogue rule: fired with its result, or why not."),
    ] = False,
) -> JSONResponse:
    """Dry run: decide the body of POST /v1/decisions at any evaluation_time, store nothing."""
    outcome = await service.dry_run(
        body,
        policy_engine=policy_engine,
        catalog=catalog,
        masker=masker,
        db=db,
        explain=explain,
        request_id=request_id,
        submitted_by={
            "key_id": caller.key_id if caller else None,
            "key_name": caller.name if caller else None,
        },
    )
    return JSONResponse(outcome)


@router.get(
    "",
    response_model=DecisionPage,
    responses=error_responses(422),
    dependencies=[requires(Role.auditor)],
)
def list_decisions(
    db: DbDep,
    masker: MaskerDep,
    sector: Sector | None = None,
    verdict: Verdict | None = None,
    tier: Annotated[Tier | None, Query(description="Selected tier.")] = None,
    rule_id: Annotated[str | None, Query(max_length=128, pattern=r"^[a-z0-9_.]+$")] = None,
    organization: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[Instant | None, Query(description="created_at ≥ since (RFC 3339)")] = None,
    until: Annotated[Instant | None, Query(description="created_at < until (RFC 3339)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="next_cursor of the previous page")
    ] = None,
) -> JSONResponse:
    """List stored decisions, newest first, with filters and cursor pagination."""
    filters = DecisionFilter(
        sector=sector,
        verdict=verdict,
        tier=tier,
        rule_id=rule_id,
        organization=organization,
        since=since,
        until=until,
    )
    return _sealed(
        service.list_decisions(db, filters=filters, limit=limit, cursor=cursor, masker=masker)
    )


def _sealed(
    content: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Records go out exactly as sealed, not re-serialised through DecisionRecord (which would
    rewrite timestamps and drop fields, so a record from the API would no longer verify on its
    own). The models still document them; tests/api/test_schemathesis.py checks every response
    against that documentation."""
    return JSONResponse(content, status_code=status_code, headers=headers)


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


@router.post(
    "/{decision_id}/replay",
    response_model=ReplayReport,
    responses=error_responses(404, 409, 503),
    dependencies=[requires(Role.auditor)],
)
async def replay_decision(
    decision_id: str,
    db: DbDep,
    policy_engine: PolicyEngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    under: Annotated[
        Literal["current", "recorded"],
        Query(
            description="current (the default, as before this parameter existed): the policy "
            "served now. recorded: the archived revision that made the record, on a throw-away "
            "OPA at the record's evaluation time; 409 when that revision is not archived."
        ),
    ] = "current",
) -> ReplayReport:
    """Re-evaluate a stored decision under the current or the recorded policy; report
    changes, write nothing."""
    return await replay.replay(
        db,
        decision_id,
        policy_engine=policy_engine,
        catalog=catalog,
        under=under,
        opa_binary=settings.opa_binary,
    )


@router.get(
    "/{decision_id}",
    response_model=DecisionRecord,
    responses=error_responses(404),
    dependencies=[requires(Role.auditor)],
)
def get_decision(decision_id: str, db: DbDep) -> JSONResponse:
    """Return one stored decision record, exactly as sealed."""
    return _sealed(service.get_sealed(db, decision_id))


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
