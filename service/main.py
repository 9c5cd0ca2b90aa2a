"""The FastAPI application: routers, error handlers, request ids, and the runtime lifecycle."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response

from service import __version__
from service.api import errors
from service.catalog.routes import router as catalog_router
from service.decisions.routes import keys_router
from service.decisions.routes import router as decisions_router
from service.health.routes import router as health_router
from service.policies.routes import router as policies_router
from service.runtime import start, stop
from service.settings import Settings, get_settings
from service.sizing.routes import router as sizing_router

REQUEST_ID_HEADER = "X-Request-ID"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the runtime (OPA, database, keys) starts with the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start(settings or get_settings())
        app.state.runtime = runtime
        try:
            yield
        finally:
            await stop(runtime)

    app = FastAPI(
        title="tiergate",
        version=__version__,
        summary="Compliance and deployment-tier decisions for LLM workloads, with sizing.",
        lifespan=lifespan,
    )
    errors.install(app)

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else str(uuid.uuid4())
        request.state.request_id = rid
        structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        response.headers[REQUEST_ID_HEADER] = rid
        return response

    for router in (
        decisions_router,
        keys_router,
        sizing_router,
        policies_router,
        catalog_router,
        health_router,
    ):
        app.include_router(router)
    return app
