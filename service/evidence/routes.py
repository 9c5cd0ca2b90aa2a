"""HTTP route of evidence packs (auditor role)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from service.api.deps import DbDep, PolicyEngineDep, SettingsDep
from service.api.schemas import error_responses
from service.api.use_case_deps import SigningKeyDep
from service.decisions.signing import SigningKey
from service.evidence import service
from service.evidence.pack import Period
from service.opa.client import PolicyEngine
from service.policies.vocabulary import Instant
from service.roles import Role, requires

router = APIRouter(prefix="/v1/evidence", tags=["audit"])


@router.get(
    "",
    responses={
        200: {"description": "The evidence pack (ZIP).", "content": {"application/zip": {}}},
        **error_responses(422, 503),
    },
    dependencies=[requires(Role.auditor)],
)
async def get_evidence(
    db: DbDep,
    policy_engine: PolicyEngineDep,
    signing_key: SigningKeyDep,
    settings: SettingsDep,
    since: Annotated[Instant | None, Query(description="created_at ≥ since (RFC 3339)")] = None,
    until: Annotated[Instant | None, Query(description="created_at < until (RFC 3339)")] = None,
) -> StreamingResponse:
    """One self-verifying ZIP of a period: records, keys, checkpoint, policies, rules, audit
    events, summary and sums (check it with `tiergate verify-evidence`)."""
    period = Period(since=_utc(since), until=_utc(until))
    return await pack_download(
        db,
        policy_engine=policy_engine,
        signing_key=signing_key,
        policies_dir=settings.policies_dir,
        period=period,
    )


async def pack_download(
    db: Engine,
    *,
    policy_engine: PolicyEngine,
    signing_key: SigningKey,
    policies_dir: Path,
    period: Period,
    headers: Mapping[str, str] | None = None,
) -> StreamingResponse:
    """The pack of `period` as a ZIP download: for this route and the web UI's evidence form.
    The pack is built before the response starts, so a failure is still an error response."""
    handle = await service.build_pack(
        db,
        policy_engine=policy_engine,
        signing_key=signing_key,
        policies_dir=policies_dir,
        period=period,
    )
    return StreamingResponse(
        service.chunks(handle),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{service.filename(period)}"',
            **(headers or {}),
        },
    )


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value else None
