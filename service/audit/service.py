"""Write and read audit events.

Which API operations are audited is one table (AUDITED); `audit` is the dependency that writes
the event for them, included next to AUTHORIZE in service/main.py. The event is written before
the operation runs, so an attempt is on record even when the operation then fails; when the
event cannot be stored the operation is refused (503), never run unaudited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.audit import repository
from service.audit.tables import AuditEventRow
from service.auth.access import authorize
from service.auth.models import Principal
from service.errors import InvalidInput

# (method, path template) → action name. Reads of the log that matter, and key changes.
AUDITED: Mapping[tuple[str, str], str] = {
    ("GET", "/v1/decisions/export"): "decisions.export",
    ("GET", "/v1/decisions/verify"): "decisions.verify",
    ("POST", "/v1/decisions/{decision_id}/replay"): "decisions.replay",
    ("GET", "/v1/evidence"): "evidence.download",
    ("POST", "/v1/impact"): "impact.start",
    ("GET", "/v1/exceptions/export"): "exceptions.export",
    ("POST", "/v1/keys/api"): "keys.create",
    ("DELETE", "/v1/keys/api/{key_id}"): "keys.revoke",
}
# Body fields recorded for audited operations with a body (never a secret: key creation sends
# only roles and a name).
_BODY_FIELDS = ("roles", "name")


def record(
    db: Engine,
    *,
    action: str,
    principal: Principal | None,
    parameters: Mapping[str, Any],
    request_id: str | None = None,
) -> None:
    repository.add(
        db,
        AuditEventRow(
            at=datetime.now(UTC),
            key_id=principal.key_id if principal else None,
            key_name=principal.name if principal else None,
            action=action,
            parameters=json.dumps(dict(parameters), ensure_ascii=False, sort_keys=True),
            request_id=request_id,
        ),
    )


async def audit(
    request: Request, principal: Annotated[Principal | None, Depends(authorize)]
) -> None:
    """Write the audit event of an AUDITED operation (runs after authorize: same cache)."""
    template = str(getattr(request.scope.get("route"), "path", ""))
    action = AUDITED.get((request.method, template))
    if action is None:
        return
    parameters: dict[str, Any] = {**request.path_params, **request.query_params}
    # JSON bodies only: a multipart upload (an impact candidate) was already streamed into
    # the form and cannot be read again, and holds no field recorded here
    is_json = request.headers.get("content-type", "").startswith("application/json")
    if request.method in ("POST", "PUT", "PATCH") and is_json and await request.body():
        try:
            body = await request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            parameters.update({k: body[k] for k in _BODY_FIELDS if k in body})
    request_id = getattr(request.state, "request_id", None)
    await run_in_threadpool(
        record,
        request.app.state.runtime.db,
        action=action,
        principal=principal,
        parameters=parameters,
        request_id=str(request_id) if request_id else None,
    )


AUDIT = Depends(audit)


def public(row: AuditEventRow) -> dict[str, Any]:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)  # SQLite returns naive UTC
    return {
        "seq": row.seq,
        "at": at.isoformat().replace("+00:00", "Z"),
        "key_id": row.key_id,
        "key_name": row.key_name,
        "action": row.action,
        "parameters": json.loads(row.parameters),
        "request_id": row.request_id,
    }


def list_events(
    db: Engine, *, filters: repository.AuditFilter, limit: int, cursor: str | None
) -> dict[str, Any]:
    """An AuditEventPage, newest first."""
    if cursor is not None and cursor != "" and (not cursor.isdigit() or len(cursor) > 18):
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    before = int(cursor) if cursor else None
    rows = repository.list_page(db, filters=filters, limit=limit + 1, before_seq=before)
    page = rows[:limit]
    next_cursor = str(page[-1].seq) if len(rows) > limit and page else None
    return {"items": [public(r) for r in page], "next_cursor": next_cursor}


def events_in_period(
    db: Engine, *, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Every event of a period, oldest first (for evidence packs)."""
    filters = repository.AuditFilter(since=since, until=until)
    for row in repository.iterate_in_order(db, filters=filters):
        yield public(row)
