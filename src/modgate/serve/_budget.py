"""A per-request time budget for LLM judges in the live path: late means `review`, never `allow`.

The pool of the service wraps every enforcer of a budgeted kind (`llm`, `cascade`): its
`predict` runs on a thread and is awaited for at most the budget; past it every item of the
call gets an error verdict (hence `review`) and the timeout is counted. Calls, timeouts and
cost are counted for `/metrics`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Sequence
from pathlib import Path

from modgate.domain import Item, Verdict
from modgate.enforce import Enforcer, EnforcerSpec, EnforcerVersion
from modgate.registry import Registry
from modgate.release import EnforcerPool
from modgate.serve._metrics import ServeMetrics
from modgate.store import Store

BUDGETED_KINDS = frozenset({"llm", "cascade"})
"""Kinds whose calls go to a model server and so run under the request's time budget."""


class BudgetedEnforcer:
    """Runs an enforcer under a time budget; on timeout or error every item gets `review`.

    Args:
        inner: The enforcer.
        version: Its catalog version (names the verdicts).
        budget_seconds: Most seconds one call may take.
        metrics: Where calls, timeouts and cost are counted.
        executor: Threads the calls run on.
    """

    def __init__(
        self,
        inner: Enforcer,
        version: EnforcerVersion,
        budget_seconds: float,
        metrics: ServeMetrics,
        executor: concurrent.futures.ThreadPoolExecutor,
    ) -> None:
        self._inner = inner
        self._version = version
        self._budget = budget_seconds
        self._metrics = metrics
        self._executor = executor

    @property
    def spec(self) -> EnforcerSpec:
        """The inner enforcer's spec."""
        return self._inner.spec

    def _failed(self, items: Sequence[Item], error: str) -> list[Verdict]:
        spec = self._version.spec
        return [Verdict.failed(i.id, spec.policy, self._version.ref, error) for i in items]

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Verdicts of the inner enforcer, or error verdicts when it is late or raises."""
        if not items:
            return []
        self._metrics.llm_calls.labels(self._version.ref).inc(len(items))
        future = self._executor.submit(self._inner.predict, items)
        try:
            verdicts = future.result(timeout=self._budget)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self._metrics.llm_timeouts.labels(self._version.ref).inc(len(items))
            return self._failed(items, f"time budget of {self._budget * 1000:.0f} ms exceeded")
        except Exception as exc:  # a crashing judge is a failure value, not a 500
            self._metrics.errors.labels("enforcer").inc()
            return self._failed(items, f"{type(exc).__name__}: {exc}")
        self._metrics.llm_cost.labels(self._version.ref).inc(sum(v.cost for v in verdicts))
        return verdicts


class BudgetedPool(EnforcerPool):
    """The service's enforcer pool: LLM-backed kinds run under the per-request budget.

    Args:
        store: The store.
        workspace: Workspace root.
        registry: Enforcer kinds.
        budget_seconds: Per-call budget of budgeted kinds.
        metrics: Where to count.
    """

    def __init__(
        self,
        store: Store,
        workspace: Path,
        registry: Registry | None,
        *,
        budget_seconds: float,
        metrics: ServeMetrics,
    ) -> None:
        super().__init__(store, workspace, registry)
        self._budget = budget_seconds
        self._metrics = metrics
        self._executor = concurrent.futures.ThreadPoolExecutor(8, thread_name_prefix="modgate-llm")
        self._wrapped: dict[str, tuple[EnforcerVersion, Enforcer]] = {}

    def get(self, ref: str) -> tuple[EnforcerVersion, Enforcer]:
        """The version and enforcer of `ref`, wrapped in the budget when its kind needs it."""
        cached = self._wrapped.get(ref)
        if cached is not None:
            return cached
        version, enforcer = super().get(ref)
        chosen: Enforcer = enforcer
        if version.spec.kind in BUDGETED_KINDS:
            chosen = BudgetedEnforcer(
                enforcer, version, self._budget, self._metrics, self._executor
            )
        self._wrapped[ref] = (version, chosen)
        return version, chosen


__all__ = ["BUDGETED_KINDS", "BudgetedEnforcer", "BudgetedPool"]
