"""Authenticate before the body is read: a request to a protected path without a valid key is
refused from its headers alone, so an anonymous client cannot make the service read, parse and
validate a body (up to max_body_bytes of JSON) first. FastAPI reads the body before it runs any
dependency, so this cannot be the `authorize` dependency; that one checks roles afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.errors import tiergate_error
from service.auth.access import AccessControl, authenticate, credentials
from service.errors import TiergateError


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, *, protected_paths: Iterable[str]) -> None:
        self.app = app
        self.protected = [compile_path(path)[0] for path in protected_paths]

    def _protected(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.protected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        control: AccessControl = scope["app"].state.access
        if control.enabled:
            client = scope.get("client")
            try:
                principal = await authenticate(
                    control,
                    scope["app"].state.runtime.db,
                    credentials(Headers(scope=scope)),
                    client[0] if client else None,
                )
            except TiergateError as exc:
                response = await tiergate_error(Request(scope), exc)
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def route_paths(routers: Iterable[APIRouter]) -> list[str]:
    """The path templates of every route of `routers` (their prefixes included)."""
    return sorted({str(getattr(r, "path", "")) for router in routers for r in router.routes})
