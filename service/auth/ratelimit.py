"""Per-key rate limiting: one token bucket per key, in process memory.

A library was considered: slowapi decorates each route and keys by client address, and
`limits` offers fixed/sliding windows; neither gives a token bucket with an exact Retry-After
for a key that is only known after authentication. This is the classic bucket (rate r tokens
per second, capacity b), a few lines, O(1) per request. Each process keeps its own buckets,
so with N workers or replicas a key may reach N × rate; put a shared limiter in front (the
load balancer) when that matters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Take one token; 0.0 when allowed, else the seconds until one is available."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


def retry_after_header(seconds: float) -> str:
    """Retry-After is whole seconds (RFC 9110); round up so a retry then succeeds."""
    return str(max(1, math.ceil(seconds)))
