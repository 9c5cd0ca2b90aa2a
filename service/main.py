"""The FastAPI application: routers, error handlers, request ids, and the runtime lifecycle."""

from __future__ import annotations

import functools
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from service import __version__
from service.api import errors
from service.api.authentication import AuthenticationMiddleware, route_paths
from service.api.limits import BodyLimitMiddleware, TimeoutMiddleware
from service.api.request_id import RequestIdMiddleware
from service.api.schemas import error_responses
from service.audit.routes import router as audit_router
from service.audit.service import AUDIT
from service.auth.access import AUTHORIZE, AccessControl
from service.auth.ratelimit import TokenBuckets
from service.auth.routes import router as api_keys_router
from service.auth.service import KeyCache
from service.catalog.routes import router as catalog_router
from service.decisions.log_routes import keys_router
from service.decisions.log_routes import router as decision_log_router
from service.decisions.routes import evaluations_router
from service.decisions.routes import router as decisions_router
from service.evidence.routes import router as evidence_router
from service.exceptions.routes import router as exceptions_router
from service.exceptions.service import refresh_expiring_gauge
from service.health.routes import router as health_router
from service.impact.routes import router as impact_router
from service.observability.logging import configure_logging
from service.observability.middleware import ObservabilityMiddleware
from service.observability.routes import router as metrics_router
from service.policies.routes import router as policies_router
from service.runtime import start, stop
from service.settings import Settings, get_settings
from service.sizing.routes import router as sizing_router
from service.ui.routes import install as install_ui

GC_THRESHOLD = 10_000


def operation_id(route: APIRoute) -> str:
    """The handler's name: stable across path and method changes, which FastAPI's default
    (name + path + method) is not; tests/api/test_contract.py pins them and their uniqueness."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the runtime (OPA, database, keys) starts with the lifespan."""
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start(settings)
        app.state.runtime = runtime
        app.state.scrape_hooks = [functools.partial(refresh_expiring_gauge, runtime.db)]
        # Everything built so far (modules, app, schemas, catalogue) lives as long as the
        # process: take it out of the collector's view, or every full collection walks it
        # again (up to 90 ms with the event loop stopped, ~8 times a minute under load).
        gc.collect()
        gc.freeze()
        # A decision allocates and frees ~10^5 objects, nearly all freed by reference counting;
        # at the default threshold (700 net allocations) that churn set off a collection every
        # second decision, ~0.4 ms of CPU per decision, finding little. At 10 000 a run of 600
        # decisions at concurrency 4 set off none (gc.callbacks, in process).
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        try:
            yield
        finally:
            await stop(runtime)

    app = FastAPI(
        title="tiergate",
        version=__version__,
        summary="Compliance and deployment-tier decisions for LLM workloads, with sizing.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Metrics and logs are tiergate's own (Prometheus, structlog). FastAPI's OpenTelemetry
        # hooks, unused, cost ~13 µs a request to find that no provider is configured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    errors.install(app)
    # Not dependency_overrides: with any override set, FastAPI rebuilds every dependency's
    # signature on every request (~2 ms of CPU per decision, measured with bench/run.py).
    app.state.settings = settings
    app.state.access = AccessControl(
        enabled=settings.auth_enabled,
        cache=KeyCache(settings.auth_cache_seconds),
        limiter=TokenBuckets(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst),
    )
    # Routes that need an API key; each declares its roles (requires(), service/roles.py),
    # which operations leave an audit event in service/audit/service.py (AUDITED).
    protected = (
        decision_log_router,  # before decisions_router: its paths would match /{decision_id}
        decisions_router,
        evaluations_router,
        sizing_router,
        policies_router,
        api_keys_router,
        audit_router,
        evidence_router,
        impact_router,
        exceptions_router,
    )
    # Added innermost first: request id → metrics/access log → body cap → deadline →
    # authentication (before any body is read) → routes.
    app.add_middleware(AuthenticationMiddleware, protected_paths=route_paths(protected))
    app.add_middleware(TimeoutMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ObservabilityMiddleware)

    app.add_middleware(RequestIdMiddleware)

    for router in protected:
        app.include_router(
            router,
            dependencies=[AUTHORIZE, AUDIT],
            responses=error_responses(400, 401, 403, 413, 422, 429, 504),
        )
    # Open: the signing public keys, the accelerator catalogue, probes and metrics.
    for router in (keys_router, catalog_router, health_router, metrics_router):
        app.include_router(router)
    # The web UI: its own sign-in (session cookie + CSRF), the same roles as the API.
    install_ui(app)
    return app
