"""Request limits as ASGI middleware: a body-size cap (413) and a request deadline (504).

Body cap: a declared Content-Length over the cap is refused before anything is read; a body
without one (chunked) is counted as it is read, and reading stops at the cap. Both give 413.

Deadline: applied only to requests that change nothing — safe methods (GET, HEAD, OPTIONS)
and the POST routes listed in SIDE_EFFECT_FREE (sizing). Cutting a decision off mid-way could
answer 504 for a record that was committed a moment later (the commit runs in a worker thread
that cancellation does not stop), and a timeout must never hide a stored decision. A decision's
time is bounded instead by its parts: the OPA call (TIERGATE_OPA_TIMEOUT_SECONDS → 503) and the
database's busy timeout. The deadline runs until the response starts; a streamed export that
has started is not cut off.
"""

from __future__ import annotations

import json
import math

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIDE_EFFECT_FREE = frozenset({("POST", "/v1/sizing")})


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the cap; FastAPI re-raises HTTPException
    from body parsing unchanged, so the one error handler renders it (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")


async def _send_error(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            detail = f"request body exceeds the limit of {self.max_bytes} bytes"
            await _send_error(send, 413, "payload_too_large", detail)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge as exc:
            # Raised where no handler saw it (outside a FastAPI route): answer here.
            if started:
                raise
            await _send_error(send, 413, "payload_too_large", str(exc.detail))


class TimeoutMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    @staticmethod
    def applies(scope: Scope) -> bool:
        method = scope["method"]
        return method in SAFE_METHODS or (method, scope["path"]) in SIDE_EFFECT_FREE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        started = False
        with anyio.CancelScope() as deadline:
            deadline.deadline = anyio.current_time() + self.seconds

            async def send_and_disarm(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    deadline.deadline = math.inf  # the answer has begun: let it finish
                await send(message)

            await self.app(scope, receive, send_and_disarm)
        if deadline.cancelled_caught and not started:
            await _send_error(
                send,
                504,
                "timeout",
                f"the request did not complete within {self.seconds:g} s; nothing was changed",
            )
