"""HTTP routes of the decision log."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import RequestIdDep, RuntimeDep
from service.api.schemas import error_responses
from service.decisions import service
from service.decisions.models import DecisionRecord, DecisionRequest

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


@router.post(
    "",
    status_code=201,
    response_model=DecisionRecord,
    responses=error_responses(422, 503),
)
async def create_decision(
    body: DecisionRequest, runtime: RuntimeDep, request_id: RequestIdDep
) -> DecisionRecord:
    """Evaluate a workload against the policies, size it, and record the decision."""
    return await service.evaluate(
        body,
        policy_engine=runtime.policy_engine,
        catalog=runtime.catalog,
        db=runtime.db,
        signing_key=runtime.signing_key,
        request_id=request_id,
    )


@router.get("/{decision_id}", response_model=DecisionRecord, responses=error_responses(404))
def get_decision(decision_id: str, runtime: RuntimeDep) -> DecisionRecord:
    """Return one stored decision record."""
    return service.get(runtime.db, decision_id)
