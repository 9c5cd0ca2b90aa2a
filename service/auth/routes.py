"""HTTP routes to manage API keys (admin role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from service.api.deps import DbDep
from service.api.schemas import error_responses
from service.auth import service
from service.auth.models import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyPublic
from service.roles import Role, requires

router = APIRouter(prefix="/v1/keys/api", tags=["api keys"])

KeyIdPath = Annotated[str, Path(max_length=32, pattern=r"^tgk_[0-9a-f]{8}$")]


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=error_responses(422),
    dependencies=[requires(Role.admin)],
)
async def create_api_key(body: ApiKeyCreate, db: DbDep) -> ApiKeyCreated:
    """Create an API key with the given roles; its secret is in this response only."""
    return await run_in_threadpool(service.create, db, roles=body.roles, name=body.name)


@router.get("", response_model=ApiKeyList, dependencies=[requires(Role.admin)])
def list_api_keys(db: DbDep) -> ApiKeyList:
    """List API keys (ids, names, roles, revocation); never the secrets."""
    return ApiKeyList(items=service.list_keys(db))


@router.delete(
    "/{key_id}",
    response_model=ApiKeyPublic,
    responses=error_responses(404, 422),
    dependencies=[requires(Role.admin)],
)
async def revoke_api_key(key_id: KeyIdPath, db: DbDep, request: Request) -> ApiKeyPublic:
    """Revoke an API key; it is refused from now on (other processes: within the cache TTL)."""
    revoked = await run_in_threadpool(service.revoke, db, key_id)
    request.app.state.access.cache.clear()
    return revoked
