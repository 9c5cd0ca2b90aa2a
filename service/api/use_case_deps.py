"""Dependency aliases whose types are use-case parts: the decision log's signing key, masker
and group commit, the impact jobs, the authenticated caller, and the decision routes' bundle
of all they use. For the routes of the use-case layer and above (docs/architecture.md,
"Layers"); the core's routes take theirs from service/api/deps.py.

Like those, they read app state by attribute and are `async def`. The caller is one thing,
read one way (authorized_caller: what authorize() left on the request), whether as CallerDep or
inside DecisionServicesDep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from service.api.deps import get_catalog, get_request_id, get_settings, runtime_part
from service.auth.models import Principal
from service.decisions.group_commit import GroupCommit
from service.decisions.masking import Masker
from service.decisions.signing import SigningKey
from service.errors import Unauthorized
from service.impact.jobs import ImpactJobs
from service.opa.client import PolicyEngine
from service.settings import Settings
from service.sizing.catalog import Catalog

get_signing_key = runtime_part("signing_key")
get_masker = runtime_part("masker")
get_group_commit = runtime_part("group_commit")
get_impact_jobs = runtime_part("impact_jobs")


@dataclass(frozen=True)
class DecisionServices:
    """What the decision routes (record one, dry-run one) hand to the decision use cases, as
    one dependency rather than eight: FastAPI spends ~15-20 µs of CPU solving each dependency
    of every request (a route with 20 trivial ones cost 430 µs a request, with none 87 µs),
    and a decision had eleven. Each part is what the narrow dependency of the same name
    would give."""

    policy_engine: PolicyEngine
    catalog: Catalog
    db: Engine
    group_commit: GroupCommit
    signing_key: SigningKey
    masker: Masker
    settings: Settings
    request_id: str | None
    caller: Principal | None


def authorized_caller(request: Request) -> Principal | None:
    """The key authorize() authenticated for this request (None only with authentication off),
    read from the request instead of depending on authorize again: FastAPI walks a repeated
    dependency's tree on every request even when its value is cached (4 of the decision
    route's 13 dependency solves). authorize is on every protected router and runs before a
    route's own dependencies; without it, and authentication on, nobody is let through."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None and request.app.state.access.enabled:
        raise Unauthorized("no authenticated API key for this request")
    return principal


async def get_caller(request: Request) -> Principal | None:
    """authorized_caller as a dependency, for routes that need only the caller."""
    return authorized_caller(request)


async def get_decision_services(request: Request) -> DecisionServices:
    """What the narrow dependencies would give, read from the runtime in one call (FastAPI
    would solve each of those as a dependency)."""
    runtime = request.app.state.runtime
    return DecisionServices(
        policy_engine=runtime.policy_engine,
        catalog=await get_catalog(request),
        db=runtime.db,
        group_commit=runtime.group_commit,
        signing_key=runtime.signing_key,
        masker=runtime.masker,
        settings=await get_settings(request),
        request_id=await get_request_id(request),
        caller=authorized_caller(request),
    )


SigningKeyDep = Annotated[SigningKey, Depends(get_signing_key)]
MaskerDep = Annotated[Masker, Depends(get_masker)]
GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]
ImpactJobsDep = Annotated[ImpactJobs, Depends(get_impact_jobs)]
CallerDep = Annotated[Principal | None, Depends(get_caller)]
"""The key that called (None with authentication off): what authorize() authenticated."""
DecisionServicesDep = Annotated[DecisionServices, Depends(get_decision_services)]
