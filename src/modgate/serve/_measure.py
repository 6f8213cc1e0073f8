"""ASGI middleware counting requests and their latency by route (plain ASGI, no task group).

Starlette's `@app.middleware("http")` runs every request through a task group and memory
streams; measured in the service it cost more CPU than the routing it wraps, so this counts
from the ASGI messages themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modgate.serve._metrics import ServeMetrics


class RequestMetrics:
    """Count each HTTP request by route, method and status, and observe its latency.

    Args:
        app: The wrapped app.
        metrics_of: The metrics to count in for a request's scope, or None (nothing is counted,
            e.g. while the service starts or stops).
    """

    def __init__(self, app: ASGIApp, metrics_of: Callable[[Scope], ServeMetrics | None]) -> None:
        self.app = app
        self.metrics_of = metrics_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            self._count(scope, status, time.perf_counter() - start)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        metrics = self.metrics_of(scope)
        if metrics is None:
            return
        path = getattr(scope.get("route"), "path", "unmatched")
        metrics.requests.labels(path, scope["method"], str(status)).inc()
        metrics.latency.labels(path).observe(seconds)


__all__ = ["RequestMetrics"]
