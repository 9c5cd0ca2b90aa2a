"""One error shape everywhere: {"error": code, "detail": message, "field"?: location}."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from service.errors import ServiceUnavailable, TiergateError

log = structlog.get_logger(__name__)


# The codes of errors Starlette raises (routing, body parsing); "http_error" for any other status.
HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def _body(code: str, detail: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if field:
        body["field"] = field
    body.update(extra)
    return body


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) if parts else "body"


async def tiergate_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TiergateError)
    if isinstance(exc, ServiceUnavailable):
        log.warning("service_unavailable", code=exc.code, detail=exc.message)
    headers = {"Retry-After": "1"} if isinstance(exc, ServiceUnavailable) else {}
    headers.update(exc.headers)
    return JSONResponse(
        _body(exc.code, exc.message, exc.field), status_code=exc.status_code, headers=headers
    )


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _location(tuple(e.get("loc", ()))), "reason": str(e.get("msg", "invalid"))}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "body", "reason": "invalid request"}
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return JSONResponse(
        _body("invalid_input", detail, first["field"], errors=errors), status_code=422
    )


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes (Starlette names only the first route's):
    each method is tried against the routes, through their public `matches`."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        _body(code, str(exc.detail)),
        status_code=exc.status_code,
        headers=headers,
    )


async def unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    # Never leak internals: log the traceback, answer with a generic 500.
    log.exception("unhandled_error", error_type=type(exc).__name__)
    return JSONResponse(_body("internal_error", "internal error; see server logs"), 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(TiergateError, tiergate_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
