"""Prometheus metrics of the service: the registry the code counts into (the `/metrics` route
that exposes them is service/observability/routes.py).

Metrics live in the process-wide default registry. With several uvicorn workers
(`tiergate serve --workers N`) prometheus-client's multiprocess mode is on
(PROMETHEUS_MULTIPROC_DIR, set by the CLI): each worker writes its samples to files there and
`/metrics`, whichever worker answers it, reports the sum over all of them.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram

# Buckets in seconds: a decision takes milliseconds; timeouts are seconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

DECISIONS = Counter(
    "tiergate_decisions",
    "Decisions committed to the decision log, by verdict and selected tier.",
    ["verdict", "tier"],
)
REQUEST_LATENCY = Histogram(
    "tiergate_request_duration_seconds",
    "Whole-request latency, by route template, method and status.",
    ["route", "method", "status"],
    buckets=_BUCKETS,
)
OPA_LATENCY = Histogram(
    "tiergate_opa_request_duration_seconds",
    "Latency of the OPA decision query (the policy evaluation itself).",
    buckets=_BUCKETS,
)

OPA_RESTARTS = Counter(
    "tiergate_opa_restarts",
    "Restarts of the managed OPA process by the supervisor (summed over workers).",
)


EXCEPTIONS_EXPIRING = Gauge(
    "tiergate_exceptions_expiring_30d",
    "Approved exceptions in force and not revoked that expire within 30 days (read from the "
    "exception log at each scrape).",
    multiprocess_mode="mostrecent",  # every worker reads the same database
)

ScrapeHook = Callable[[], None]
"""Work to do before each scrape (a gauge read from the database); the app lists its hooks in
`app.state.scrape_hooks`, so this module needs no database of its own."""


def count_decision(verdict: str, tier: str) -> None:
    """One decision committed to the log (called once it is stored, never for a replay)."""
    DECISIONS.labels(verdict=verdict, tier=tier).inc()
