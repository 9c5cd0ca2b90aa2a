"""Who may call what: each route declares its roles, and one dependency enforces them.

A route declares the roles that may call it in its decorator, `dependencies=[requires(Role.x)]`
(service/roles.py, a foundation, so that the routes of every layer can declare); the table
of rules is derived from the app's routes (access_table), never written by hand.
Routers that need a key are included with `dependencies=[AUTHORIZE]` (service/main.py); the
open ones (probes, metrics, the accelerator catalogue, the public signing keys) are included
without it. Within a protected router an operation that declares no roles is refused to everyone
(deny by default), and tests/auth/test_keys.py fails so it is noticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import iter_route_contexts
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from service.auth import service
from service.auth.models import Principal
from service.auth.ratelimit import TokenBuckets, retry_after_header
from service.errors import Forbidden, TooManyRequests, Unauthorized
from service.roles import Role, declared_roles


def access_table(routes: Sequence[BaseRoute]) -> dict[tuple[str, str], frozenset[Role]]:
    """(method, path template) → roles, for every route of `routes` (an app's) that declares
    them. FastAPI keeps an included router as one lazy entry of `app.routes`; iter_route_contexts
    lists the operations inside, with their full paths."""
    return {
        (method, str(context.path)): roles
        for context in iter_route_contexts(routes)
        if (roles := declared_roles(context.original_route)) is not None
        for method in sorted(context.methods or ())
        if method != "HEAD"
    }


def required_roles(
    routes: Sequence[BaseRoute], method: str, path_template: str
) -> frozenset[Role] | None:
    """The roles an operation of `routes` (an app's) needs, or None when it has no rule (then
    nobody may call it)."""
    return access_table(routes).get(("GET" if method == "HEAD" else method, path_template))


@dataclass
class AccessControl:
    """Per-app state of authentication: on/off, the key cache and the rate-limit buckets."""

    enabled: bool
    cache: service.KeyCache
    limiter: TokenBuckets


_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


def credentials(headers: Mapping[str, str]) -> str | None:
    """The API key a request presents (`Authorization: Bearer` or `X-API-Key`), if any."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key") or None


async def authenticate(
    control: AccessControl, db: Any, key: str | None, client_address: str | None
) -> Principal:
    """Who presents `key`. A key not in the cache costs a database read, so those reads are
    rate-limited per client address first (a stream of made-up keys is refused at the bucket,
    not looked up); a known key's own limit applies later, in authorize()."""
    if not key:
        raise Unauthorized(
            "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = control.cache.get(key)
    if principal is None:
        wait = control.limiter.take(f"address:{client_address or 'unknown'}")
        if wait > 0:
            raise TooManyRequests(
                "too many API keys tried from this address; retry later",
                headers={"Retry-After": retry_after_header(wait)},
            )
        principal = await run_in_threadpool(service.authenticate, db, key)
        control.cache.put(key, principal)
    return principal


async def authorize(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Principal | None:
    """Check the authenticated key's roles for this operation, then take a rate-limit token.
    Authentication itself ran before the body was read (service/api/authentication.py); it
    runs here only for an app mounted without that middleware."""
    control: AccessControl = request.app.state.access
    route = request.scope.get("route")
    template = str(getattr(route, "path", ""))
    needed = declared_roles(route)
    if not control.enabled:
        return None
    principal = getattr(request.state, "principal", None)
    if principal is None:
        key = bearer.credentials if bearer else header_key
        client = request.client.host if request.client else None
        principal = await authenticate(control, request.app.state.runtime.db, key, client)
        request.state.principal = principal
    if needed is None:
        raise Forbidden(f"{request.method} {template} has no access rule; refused to every key")
    if not principal.roles & needed:
        raise Forbidden(
            f"key {principal.key_id} lacks the role for this operation "
            f"(needs one of: {', '.join(sorted(needed))})"
        )
    wait = control.limiter.take(principal.key_id)
    if wait > 0:
        raise TooManyRequests(
            f"rate limit of key {principal.key_id} exceeded; retry later",
            headers={"Retry-After": retry_after_header(wait)},
        )
    return principal


def holds(principal: Principal | None, role: Role) -> bool:
    """Whether the caller holds `role`; with authentication off (no principal) everyone does."""
    return principal is None or role in principal.roles


AUTHORIZE = Depends(authorize)
