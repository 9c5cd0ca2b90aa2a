"""Dependency aliases for route handlers.

`async def` although nothing here awaits: FastAPI runs a plain `def` dependency in its thread
pool, a thread hop per dependency per request for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.runtime import Runtime
from service.settings import Settings
from service.sizing.catalog import Catalog, load_catalog


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_catalog(request: Request) -> Catalog:
    """The catalogue of the policies this app serves (its settings, not the process default)."""
    settings: Settings = request.app.state.settings
    return load_catalog(settings.policies_dir)


async def get_request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return str(value) if value else None


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
RequestIdDep = Annotated[str | None, Depends(get_request_id)]
