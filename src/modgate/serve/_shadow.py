"""Shadow enforcers off the live path: a bounded queue drained by a thread of its own.

The service and the worker decide under a snapshot without shadows (`live_snapshot`) and
offer each batch of freshly decided items here. A full queue drops the batch's shadow work and
counts it (`modgate_shadow_dropped_total`), so a slow or stuck shadow never delays a live
decision. Shadow verdicts are stored like any other (`verdicts_for_items`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from modgate.domain import Item
from modgate.enforce import verdicts_for_items
from modgate.release import DeploymentSnapshot, EnforcerPool
from modgate.serve._metrics import ServeMetrics
from modgate.store import Store

log = logging.getLogger("modgate.serve")


class ShadowQueue:
    """Judges decided items with the shadow enforcers of the current snapshot, in the background.

    Args:
        store: Where shadow verdicts are stored.
        pool: Loaded enforcers (shared with the live path).
        metrics: Where depth, drops, items judged and errors are counted.
        snapshot: The current deployments (read each time, so a switch applies at once).
        size: Most batches waiting; when full, a batch's shadow work is dropped and counted.
        judge: What the thread calls on each batch (default: `judge`).
    """

    def __init__(
        self,
        store: Store,
        pool: EnforcerPool,
        metrics: ServeMetrics,
        snapshot: Callable[[], DeploymentSnapshot],
        size: int,
        *,
        judge: Callable[[list[Item]], None] | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.metrics = metrics
        self._snapshot = snapshot
        self._queue: queue.Queue[list[Item] | None] = queue.Queue(maxsize=size)
        self._thread: threading.Thread | None = None
        self._judge = judge or self.judge

    def start(self) -> None:
        """Start the shadow thread."""
        self._thread = threading.Thread(target=self._loop, name="modgate-shadow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after the batch in hand (what is still queued is dropped)."""
        if self._thread is None:
            return
        while True:
            try:
                self._queue.put_nowait(None)
                break
            except queue.Full:
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    continue
                if waiting is not None:
                    self.metrics.shadow_dropped.inc(len(waiting))
        self._thread.join(timeout)
        self._thread = None

    def offer(self, items: list[Item]) -> None:
        """Queue freshly decided items for the shadows, or drop and count them when full.

        Nothing is queued while the thread is not running (`start`).
        """
        if (
            self._thread is None
            or not items
            or not any(d.state.shadow for d in self._snapshot().deployments.values())
        ):
            return
        try:
            self._queue.put_nowait(items)
        except queue.Full:
            self.metrics.shadow_dropped.inc(len(items))
        self.metrics.shadow_depth.set(self._queue.qsize())

    def _loop(self) -> None:
        while True:
            items = self._queue.get()
            self.metrics.shadow_depth.set(self._queue.qsize())
            if items is None:
                return
            try:
                self._judge(items)
            except Exception as exc:
                self.metrics.errors.labels("shadow").inc()
                log.error("shadow judging failed: %s", exc)

    def judge(self, items: list[Item]) -> None:
        """Judge items with every shadow of the policies that apply to them; store verdicts."""
        snapshot = self._snapshot()
        wanted: dict[str, list[Item]] = {}
        for item in items:
            for deployment in snapshot.deployments.values():
                state = deployment.state
                if state.active is None or not state.shadow:
                    continue
                if not snapshot.policies[state.active.policy].applies_to(item):
                    continue
                for shadow in state.shadow:
                    wanted.setdefault(shadow.enforcer, []).append(item)
        for ref, chosen in wanted.items():
            version, enforcer = self.pool.get(ref)
            verdicts_for_items(self.store, version, enforcer, chosen)
        self.metrics.shadow_done.inc(len(items))


__all__ = ["ShadowQueue"]
