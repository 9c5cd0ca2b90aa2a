"""What an auditor reads about the policy: revision, engine, the rule catalogue."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import PolicyEngineDep, Role, requires
from service.api.schemas import error_responses
from service.policies.models import PolicyInfo, RuleInfo

router = APIRouter(prefix="/v1/policies", tags=["policies"])


@router.get(
    "",
    response_model=PolicyInfo,
    responses=error_responses(503),
    dependencies=[requires(Role.auditor)],
)
async def get_policies(engine: PolicyEngineDep) -> PolicyInfo:
    """Policy revision, engine version and the rule catalogue from the rules' METADATA."""
    revision = await engine.ensure_in_sync()
    rules = [RuleInfo.model_validate(rule) for rule in await engine.catalogue()]
    return PolicyInfo(revision=revision, engine_version=await engine.engine_version(), rules=rules)
