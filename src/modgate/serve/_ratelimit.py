"""Per-key token buckets (pure: the caller passes the time)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per key: `burst` requests at once, `rate` per second sustained.

    Args:
        rate: Tokens added per second.
        burst: Bucket size.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, now: float) -> float:
        """Take one token for `key` at time `now` (seconds).

        Returns:
            0 when allowed, else the seconds to wait before a token is available (≥ 1 rounded
            up, for a `Retry-After` header).
        """
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self._burst, now)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return float(max(1, math.ceil((1.0 - bucket.tokens) / self._rate)))


__all__ = ["RateLimiter"]
