"""HTTP routes of the exception log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import DbDep, PolicyEngineDep, SettingsDep
from service.api.schemas import error_responses
from service.api.use_case_deps import CallerDep, MaskerDep, SigningKeyDep
from service.auth.models import Principal
from service.exceptions import repository, service
from service.exceptions.models import (
    ExceptionCreate,
    ExceptionEntry,
    ExceptionPage,
    RevocationCreate,
    RevocationEntry,
)
from service.policies.vocabulary import Instant
from service.roles import Role, requires

router = APIRouter(prefix="/v1/exceptions", tags=["exceptions"])


def _recorded_by(caller: Principal | None) -> dict[str, str | None]:
    return {
        "key_id": caller.key_id if caller else None,
        "key_name": caller.name if caller else None,
    }


@router.post(
    "",
    status_code=201,
    response_model=ExceptionEntry,
    responses=error_responses(400, 422, 503),
    dependencies=[requires(Role.approver)],
)
async def create_exception(
    body: ExceptionCreate,
    db: DbDep,
    policy_engine: PolicyEngineDep,
    signing_key: SigningKeyDep,
    masker: MaskerDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> JSONResponse:
    """Record an approved exception to one rule, scoped and dated, signed into the exception log."""
    catalogue = await policy_engine.catalogue()
    entry = await run_in_threadpool(
        service.record,
        db,
        body,
        catalogue=catalogue,
        signing_key=signing_key,
        masker=masker,
        max_days=settings.exception_max_days,
        recorded_by=_recorded_by(caller),
        now=datetime.now(UTC),
    )
    return JSONResponse(entry, status_code=201)


@router.post(
    "/{exception_id}/revoke",
    status_code=201,
    response_model=RevocationEntry,
    responses=error_responses(404, 409, 422, 503),
    dependencies=[requires(Role.approver)],
)
def revoke_exception(
    exception_id: str,
    body: RevocationCreate,
    db: DbDep,
    signing_key: SigningKeyDep,
    caller: CallerDep,
) -> JSONResponse:
    """Revoke an exception: no decision made from now on considers it (the revocation is signed
    into the exception log; decisions made under it keep citing it)."""
    entry = service.revoke(
        db,
        exception_id,
        body,
        signing_key=signing_key,
        recorded_by=_recorded_by(caller),
        now=datetime.now(UTC),
    )
    return JSONResponse(entry, status_code=201)


@router.get(
    "",
    response_model=ExceptionPage,
    responses=error_responses(422),
    dependencies=[requires(Role.auditor, Role.approver)],
)
def list_exceptions(
    db: DbDep,
    active_at: Annotated[
        Instant | None,
        Query(description="Valid at this instant and not revoked by then (RFC 3339)."),
    ] = None,
    expiring_before: Annotated[
        Instant | None,
        Query(description="Not revoked and expiring before this instant (RFC 3339)."),
    ] = None,
    rule_id: Annotated[str | None, Query(max_length=128, pattern=r"^[a-z0-9_.]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JSONResponse:
    """List approved exceptions, newest first, each with its revocation and status now."""
    filters = repository.ExceptionFilter(
        active_at=active_at, expiring_before=expiring_before, rule_id=rule_id
    )
    page = service.list_exceptions(db, filters=filters, limit=limit, now=datetime.now(UTC))
    return JSONResponse(page)


@router.get(
    "/export",
    responses={
        200: {
            "description": "The exception log as JSONL, one sealed entry per line, chain order.",
            "content": {"application/x-ndjson": {}},
        }
    },
    dependencies=[requires(Role.auditor)],
)
def export_exceptions(db: DbDep) -> StreamingResponse:
    """Export the whole exception log (for `tiergate verify --exceptions`)."""

    def lines() -> Iterator[str]:
        for entry in service.export_rows(db):
            yield json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"

    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="exceptions.jsonl"'},
    )
