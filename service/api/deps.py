"""Dependency aliases for route handlers: each hands a handler the one part of the app it uses
(the database, the policy engine, the signing key…), not the whole runtime.

All are `async def`: they only look up app state, and FastAPI runs a plain `def` dependency in
its thread pool, a thread hop per dependency per request (the rule: docs/architecture.md,
"def or async def").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

# Re-exported so each route module declares its access from here: routes.py may use service/api
# from any layer, while auth sits above the core (docs/architecture.md, "Layers").
from service.auth.access import requires as requires
from service.auth.models import Principal
from service.auth.models import Role as Role
from service.decisions.group_commit import GroupCommit
from service.decisions.masking import Masker
from service.decisions.signing import SigningKey
from service.errors import Unauthorized
from service.impact.jobs import ImpactJobs
from service.opa.client import PolicyEngine
from service.runtime import Runtime
from service.settings import Settings
from service.sizing.catalog import Catalog, load_catalog


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_settings(request: Request) -> Settings:
    """The settings this app was built with (not the process default)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Engine:
    db: Engine = request.app.state.runtime.db
    return db


async def get_policy_engine(request: Request) -> PolicyEngine:
    engine: PolicyEngine = request.app.state.runtime.policy_engine
    return engine


async def get_signing_key(request: Request) -> SigningKey:
    key: SigningKey = request.app.state.runtime.signing_key
    return key


async def get_masker(request: Request) -> Masker:
    masker: Masker = request.app.state.runtime.masker
    return masker


async def get_group_commit(request: Request) -> GroupCommit:
    group_commit: GroupCommit = request.app.state.runtime.group_commit
    return group_commit


async def get_catalog(request: Request) -> Catalog:
    """The catalogue of the policies this app serves (its settings, not the process default),
    read per use (cached until the file changes)."""
    settings: Settings = request.app.state.settings
    return load_catalog(settings.policies_dir)


async def get_impact_jobs(request: Request) -> ImpactJobs:
    jobs: ImpactJobs = request.app.state.runtime.impact_jobs
    return jobs


async def get_request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return str(value) if value else None


@dataclass(frozen=True)
class DecisionServices:
    """What the decision routes (record one, dry-run one) hand to the decision use cases, as
    one dependency rather than eight: FastAPI spends ~15-20 µs of CPU solving each dependency
    of every request (a route with 20 trivial ones cost 430 µs a request, with none 87 µs),
    and a decision had eleven. Each part is what the narrow dependency below would give."""

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


async def get_decision_services(request: Request) -> DecisionServices:
    """The narrow getters above, called directly (FastAPI would solve each as a dependency)."""
    runtime = await get_runtime(request)
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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
"""The whole runtime: only for the readiness probe, which checks all of it."""
SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Engine, Depends(get_db)]
PolicyEngineDep = Annotated[PolicyEngine, Depends(get_policy_engine)]
SigningKeyDep = Annotated[SigningKey, Depends(get_signing_key)]
MaskerDep = Annotated[Masker, Depends(get_masker)]
GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ImpactJobsDep = Annotated[ImpactJobs, Depends(get_impact_jobs)]
DecisionServicesDep = Annotated[DecisionServices, Depends(get_decision_services)]
RequestIdDep = Annotated[str | None, Depends(get_request_id)]
