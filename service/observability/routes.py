"""The `/metrics` route: Prometheus exposition of the registry of
service/observability/metrics.py (which says how several workers' samples are summed)."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from service.observability.metrics import ScrapeHook

router = APIRouter(tags=["observability"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus exposition: this process's metrics, or every worker's in multiprocess mode."""
    hooks: list[ScrapeHook] = getattr(request.app.state, "scrape_hooks", [])
    for hook in hooks:
        hook()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
