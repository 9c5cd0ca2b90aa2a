"""Dependency aliases for route handlers of every layer: each hands a handler one part of the
app whose type is a foundation or the core (settings, the database, the policy engine, the
accelerator catalogue, the request id), never the whole runtime. The parts that are use cases
(the decision log's signing key, masker and group commit, impact jobs, the caller) are in
service/api/use_case_deps.py, so that a core package's routes (sizing, policies) load nothing
above the core (tests/test_layers.py follows every import).

They read `request.app.state.runtime` by attribute, without importing service.runtime (the
composition, which imports everything).

All are `async def`: they only look up app state, and FastAPI runs a plain `def` dependency in
its thread pool, a thread hop per dependency per request (the rule: docs/architecture.md,
"def or async def").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine

from service.opa.client import PolicyEngine
from service.settings import Settings
from service.sizing.catalog import Catalog, load_catalog


async def get_settings(request: Request) -> Settings:
    """The settings this app was built with (not the process default)."""
    settings: Settings = request.app.state.settings
    return settings


def runtime_part(name: str) -> Callable[[Request], Awaitable[Any]]:
    """The dependency that hands a handler the runtime's attribute `name` (the alias that uses
    it gives the type)."""

    async def get(request: Request) -> Any:
        return getattr(request.app.state.runtime, name)

    get.__name__ = f"get_{name}"
    return get


get_db = runtime_part("db")
get_policy_engine = runtime_part("policy_engine")
get_opa_restarts = runtime_part("opa_restarts")  # the supervisor's restarts; 0 for an external OPA


async def get_catalog(request: Request) -> Catalog:
    """The catalogue of the policies this app serves (its settings, not the process default),
    read per use (cached until the file changes)."""
    settings: Settings = request.app.state.settings
    return load_catalog(settings.policies_dir)


async def get_request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return str(value) if value else None


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Engine, Depends(get_db)]
PolicyEngineDep = Annotated[PolicyEngine, Depends(get_policy_engine)]
OpaRestartsDep = Annotated[int, Depends(get_opa_restarts)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
RequestIdDep = Annotated[str | None, Depends(get_request_id)]
