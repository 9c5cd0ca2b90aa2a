"""HTTP routes of decisions: record one, dry-run one, list, get and replay them (the audit side —
verify, checkpoint, export, keys — is service.decisions.log_routes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from service.api.deps import CatalogDep, DbDep, PolicyEngineDep, SettingsDep
from service.api.schemas import error_responses
from service.api.use_case_deps import DecisionServicesDep, MaskerDep
from service.auth.access import holds
from service.auth.models import Principal
from service.decisions import replay, service
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
from service.roles import Role, requires

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
JSON = "application/json"

evaluations_router = APIRouter(prefix="/v1/evaluations", tags=["decisions"])


@router.post(
    "",
    status_code=201,
    response_model=DecisionRecord,
    responses=error_responses(403, 409, 422, 503),
    dependencies=[requires(Role.submitter)],
)
async def create_decision(
    body: DecisionRequest,
    services: DecisionServicesDep,
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
) -> Response:
    """Evaluate a workload against the policies, size it, and record the decision."""
    caller = services.caller
    created = await service.evaluate(
        body,
        policy_engine=services.policy_engine,
        catalog=services.catalog,
        db=services.db,
        group_commit=services.group_commit,
        signing_key=services.signing_key,
        masker=services.masker,
        clock_skew=timedelta(seconds=services.settings.evaluation_time_skew_seconds),
        may_backdate=holds(caller, Role.backdate),
        caller_key_id=caller.key_id if caller else None,
        request_id=services.request_id,
        idempotency_key=idempotency_key,
        submitted_by=_submitted_by(caller),
    )
    if not created.replayed:
        count_decision(created.row.verdict, created.row.tier)
    headers = {"Idempotent-Replayed": "true"} if created.replayed else None
    return _sealed(created.json, status_code=201, headers=headers)


@evaluations_router.post(
    "",
    response_model=DryRun,
    responses=error_responses(422, 503),
    dependencies=[requires(Role.submitter)],
)
async def create_evaluation(
    body: DecisionRequest,
    services: DecisionServicesDep,
    explain: Annotated[
        bool,
        Query(description="Add every catalogue rule: fired with its result, or why not."),
    ] = False,
) -> JSONResponse:
    """Dry run: decide the body of POST /v1/decisions at any evaluation_time, store nothing."""
    outcome = await service.dry_run(
        body,
        policy_engine=services.policy_engine,
        catalog=services.catalog,
        masker=services.masker,
        db=services.db,
        explain=explain,
        request_id=services.request_id,
        submitted_by=_submitted_by(services.caller),
    )
    return JSONResponse(outcome)


def _submitted_by(caller: Principal | None) -> dict[str, str | None]:
    return {
        "key_id": caller.key_id if caller else None,
        "key_name": caller.name if caller else None,
    }


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
) -> Response:
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
    content: dict[str, Any] | bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Records go out exactly as sealed, not re-serialised through DecisionRecord (which would
    rewrite timestamps and drop fields, so a record from the API would no longer verify on its
    own); one record as its sealed bytes (sealing.sealed_json). The models still document them;
    tests/api/test_schemathesis.py checks every response against that documentation."""
    if isinstance(content, bytes):
        return Response(content, status_code=status_code, headers=headers, media_type=JSON)
    return JSONResponse(content, status_code=status_code, headers=headers)


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
def get_decision(decision_id: str, db: DbDep) -> Response:
    """Return one stored decision record, exactly as sealed."""
    return _sealed(service.get_sealed(db, decision_id))
