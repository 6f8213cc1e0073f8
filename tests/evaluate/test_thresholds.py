from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.evaluate import ThresholdTarget, best_threshold, tune_thresholds


def _brute_force(
    y: np.ndarray, s: np.ndarray, target: ThresholdTarget
) -> tuple[float, float] | None:
    best: tuple[float, float] | None = None
    for t in np.unique(s):
        p = s >= t
        tp, fp = (p & y).sum(), (p & ~y).sum()
        precision = tp / (tp + fp)
        recall = tp / y.sum()
        fpr = fp / (~y).sum()
        ok = precision >= target.value if target.metric == "precision" else fpr <= target.value
        if ok and (best is None or recall > best[1] + 1e-12 or
                   (abs(recall - best[1]) <= 1e-12 and t > best[0])):  # fmt: skip
            best = (float(t), float(recall))
    return best


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from(["precision", "fpr"]),
    st.floats(0.05, 0.95),
)
def test_best_threshold_equals_brute_force(seed: int, metric: str, value: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(200) < 0.3
    y[0], y[1] = True, False
    s = np.round(np.clip(rng.normal(0.4 + 0.25 * y, 0.2), 0, 1), 2)
    target = ThresholdTarget(metric=metric, value=value)  # type: ignore[arg-type]
    got = best_threshold(y, s, target)
    expected = _brute_force(y, s, target)
    if expected is None:
        assert got.threshold is None and got.note
    else:
        assert got.threshold == pytest.approx(expected[0])
        assert got.recall == pytest.approx(expected[1])


def test_unreachable_target_and_one_class_give_no_threshold_with_a_note() -> None:
    y = np.array([True, False, True, False])
    s = np.array([0.1, 0.9, 0.2, 0.8])  # inverted scores
    got = best_threshold(y, s, ThresholdTarget(metric="precision", value=0.99))
    assert got.threshold is None and "no threshold" in (got.note or "")
    one = best_threshold(y[y], s[y], ThresholdTarget(metric="fpr", value=0.1))
    assert one.threshold is None


def test_per_community_thresholds_fall_back_without_support() -> None:
    rng = np.random.default_rng(4)
    n = 2000
    y = rng.random(n) < 0.3
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.15), 0, 1)
    communities = np.where(np.arange(n) < 1900, "big", "tiny").tolist()
    plan = tune_thresholds(y, s, ThresholdTarget(metric="precision", value=0.8),
                           communities=communities, min_support=40)  # fmt: skip
    by_scope = {r.scope: r for r in plan.communities}
    assert by_scope["community=big"].threshold is not None
    assert by_scope["community=tiny"].threshold is None
    assert "keeps the overall" in (by_scope["community=tiny"].note or "")
    overrides = plan.threshold_overrides()
    assert overrides["remove"] == plan.overall.threshold
    assert set(overrides["communities"]) == {"big"}  # type: ignore[arg-type]


def test_a_plan_becomes_enforcer_thresholds_changing_only_the_tuned_action() -> None:
    from modgate.enforce import ActionThresholds, EnforcerThresholds
    from modgate.evaluate import ThresholdPlan, ThresholdResult, apply_threshold_plan

    current = EnforcerThresholds(
        remove=0.9, review=0.5, communities={"old": ActionThresholds(remove=0.95, review=0.6)}
    )

    def result(scope: str, threshold: float | None) -> ThresholdResult:
        return ThresholdResult(scope=scope, threshold=threshold, precision=None, recall=None,
                               fpr=None, positives=50, negatives=50)  # fmt: skip

    plan = ThresholdPlan(
        action="remove",
        target=ThresholdTarget(metric="precision", value=0.9),
        overall=result("overall", 0.8),
        communities=(
            result("community=old", 0.7),
            result("community=new", 0.85),
            result("community=none", None),
        ),  # fmt: skip
    )
    got = apply_threshold_plan(current, plan)
    assert got.remove == 0.8 and got.review == 0.5
    assert got.communities["old"] == ActionThresholds(remove=0.7, review=0.6)
    assert got.communities["new"] == ActionThresholds(remove=0.85, review=0.5)
    assert "none" not in got.communities
    unreachable = plan.model_copy(update={"overall": result("overall", None), "communities": ()})
    assert apply_threshold_plan(current, unreachable) == current
