"""HTTP routes of the audit log (auditor role)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import DbDep
from service.api.schemas import error_responses
from service.audit import service
from service.audit.models import AuditEventPage
from service.audit.repository import AuditFilter
from service.policies.vocabulary import Instant
from service.roles import Role, requires

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])


@router.get(
    "",
    response_model=AuditEventPage,
    responses=error_responses(422),
    dependencies=[requires(Role.auditor)],
)
def list_audit_events(
    db: DbDep,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.]+$")] = None,
    key_id: Annotated[str | None, Query(max_length=32, pattern=r"^tgk_[0-9a-f]{8}$")] = None,
    since: Annotated[Instant | None, Query(description="at ≥ since (RFC 3339)")] = None,
    until: Annotated[Instant | None, Query(description="at < until (RFC 3339)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="next_cursor of the previous page")
    ] = None,
) -> AuditEventPage:
    """List audit events (exports, evidence, verify, replay, key changes), newest first."""
    filters = AuditFilter(action=action, key_id=key_id, since=_utc(since), until=_utc(until))
    page = service.list_events(db, filters=filters, limit=limit, cursor=cursor)
    return AuditEventPage.model_validate(page)


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value else None
