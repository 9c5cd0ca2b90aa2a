"""Structured logs: one JSON object per line, carrying the request id bound per request."""

from __future__ import annotations

import logging
import sys

import structlog


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    # Resolved per logger, not once: whatever sys.stderr is now (redirected in tests too).
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(*, json: bool = True, level: int = logging.INFO) -> None:
    """Configure structlog (idempotent). Context bound with structlog.contextvars — the request
    id (service/main.py) and the key id — is merged into every event of the request."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
