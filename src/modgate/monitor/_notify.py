"""Webhook delivery of alerts: retries with exponential backoff and full jitter, never lost.

A delivery row is written (`pending`) in the same transaction that raises the alert, before any
HTTP call; each attempt is counted on it; after the last attempt fails it stays `failed` and the
next `deliver_pending` (every `modgate monitor run` calls it) tries again. So a webhook outage
delays notifications, it never drops them.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from modgate.monitor._repo import list_deliveries, record_delivery_attempt
from modgate.store import Store

Sender = Callable[[str, bytes, float], int]
"""Posts a JSON body to a URL with a timeout and returns the HTTP status (raises on I/O errors)."""


def post_json(url: str, body: bytes, timeout: float) -> int:
    """POST a JSON body with urllib; returns the HTTP status (4xx/5xx included)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass
class RetryPolicy:
    """How hard to try one delivery in one run."""

    attempts: int = 4
    """Attempts per run."""
    base_delay: float = 0.5
    """First backoff in seconds; doubles per attempt."""
    max_delay: float = 30.0
    """Cap on one backoff."""
    timeout: float = 10.0
    """HTTP timeout per attempt."""
    rng: random.Random = field(default_factory=random.Random)
    """Jitter source (seed it in tests)."""
    sleep: Callable[[float], None] = time.sleep
    """How to wait (a no-op in tests)."""

    def delay(self, attempt: int) -> float:
        """Full-jitter backoff before retry `attempt` (1-based): U(0, min(cap, base·2^attempt))."""
        return self.rng.uniform(0.0, min(self.max_delay, self.base_delay * 2**attempt))


def deliver_pending(
    store: Store, *, sender: Sender = post_json, policy: RetryPolicy | None = None
) -> tuple[int, int]:
    """Send every pending or failed delivery; record each attempt.

    Returns:
        (delivered, still failing).
    """
    retry = policy or RetryPolicy()
    delivered = failing = 0
    for d in list_deliveries(store, status=("pending", "failed")):
        body = json.dumps(d.payload, ensure_ascii=False, default=str).encode()
        ok = False
        for attempt in range(1, retry.attempts + 1):
            status: int | None = None
            error: str | None = None
            try:
                status = sender(d.target, body, retry.timeout)
                ok = 200 <= status < 300
                if not ok:
                    error = f"HTTP {status}"
            except Exception as exc:  # network failures are recorded, never raised
                error = f"{type(exc).__name__}: {exc}"
            final = ok or attempt == retry.attempts
            record_delivery_attempt(
                store, d.id, delivered=ok, http_status=status, error=error, final=final
            )
            if ok:
                break
            if attempt < retry.attempts:
                retry.sleep(retry.delay(attempt))
        if ok:
            delivered += 1
        else:
            failing += 1
    return delivered, failing
