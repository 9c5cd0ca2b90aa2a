"""ASGI middleware: request latency histogram and one structured access-log line per request."""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.observability.metrics import REQUEST_LATENCY

log = structlog.get_logger("tiergate.access")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            # The template, not the path: ids in paths would explode the label set.
            template = str(getattr(route, "path", "")) or "unmatched"
            if template != "/metrics":
                REQUEST_LATENCY.labels(
                    route=template, method=scope["method"], status=str(status)
                ).observe(elapsed)
            principal = getattr(scope.get("state", {}).get("principal"), "key_id", None)
            log.info(
                "request",
                method=scope["method"],
                route=template,
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                key_id=principal,
            )
