from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Sequence

from modgate.domain import Action, Item, Verdict
from modgate.enforce import EnforcerSpec
from modgate.serve import ServeMetrics
from modgate.serve._budget import BudgetedEnforcer

from .conftest import World


class _Judge:
    def __init__(self, spec: EnforcerSpec, delay: float, fail: bool = False) -> None:
        self._spec, self.delay, self.fail = spec, delay, fail

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        time.sleep(self.delay)
        if self.fail:
            raise ConnectionError("model server unreachable")
        return [
            Verdict(item_id=i.id, policy=self._spec.policy, enforcer="j@1", score=0.1,
                    label="non_violating", action=Action.ALLOW, cost=0.002)
            for i in items
        ]  # fmt: skip


def _sample(metrics: ServeMetrics, name: str) -> float:
    return sum(s.value for m in metrics.registry.collect() for s in m.samples if s.name == name)


def test_late_or_failing_judge_means_review_never_allow_and_is_counted(world: World) -> None:
    metrics = ServeMetrics()
    pool = concurrent.futures.ThreadPoolExecutor(2)
    items = world.items[:3]
    version = world.lenient
    fast = BudgetedEnforcer(_Judge(version.spec, 0.0), version, 0.5, metrics, pool)
    slow = BudgetedEnforcer(_Judge(version.spec, 1.0), version, 0.05, metrics, pool)
    broken = BudgetedEnforcer(_Judge(version.spec, 0.0, fail=True), version, 0.5, metrics, pool)
    assert [v.action for v in fast.predict(items)] == [Action.ALLOW] * 3
    start = time.perf_counter()
    late = slow.predict(items)
    assert time.perf_counter() - start < 0.5  # the budget, not the judge, set the wait
    assert [v.action for v in late] == [Action.REVIEW] * 3
    assert all(v.error and "time budget of 50 ms" in v.error for v in late)
    failed = broken.predict(items)
    assert [v.action for v in failed] == [Action.REVIEW] * 3
    assert all("unreachable" in (v.error or "") for v in failed)
    assert _sample(metrics, "modgate_llm_timeouts_total") == 3
    assert _sample(metrics, "modgate_llm_items_total") == 9
    assert abs(_sample(metrics, "modgate_llm_cost_total") - 0.006) < 1e-12
    pool.shutdown(wait=False)
