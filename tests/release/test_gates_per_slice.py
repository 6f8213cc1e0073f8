"""Gates per community: maximum criteria too, missing slices, support of the figure itself."""

from __future__ import annotations

import numpy as np
import pytest

from modgate.domain import Action
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    PredictionRecord,
    PredictionTable,
    compare_predictions,
    compute_eval_figures,
    slice_attributes,
)
from modgate.release import evaluate_gates, load_gate_config

FAST = FigureConfig(intervals=IntervalConfig(resamples=50), min_support=30)


def _records(n: int = 400, *, noisy: str = "c2") -> list[PredictionRecord]:
    """Four communities; in `noisy` every non-violating item is flagged (FPR 1)."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        community = f"c{i % 4}"
        # c3 has exactly one violating item among its 100.
        gold = (i == 3) if community == "c3" else bool(rng.random() < 0.4)
        predicted = gold if community != community_noise(noisy, community) else True
        out.append(
            PredictionRecord(
                item_id=f"i{i:04d}",
                gold=gold,
                score=0.9 if predicted else 0.1,
                predicted=predicted,
                action=Action.REMOVE if predicted else Action.ALLOW,
                slices=slice_attributes(policy="p", community=community),
            )  # fmt: skip
        )
    return out


def community_noise(noisy: str, community: str) -> str | None:
    return community if community == noisy else None


def test_maximum_fpr_per_community_checks_every_community_and_fails_the_noisy_one() -> None:
    gate = load_gate_config(
        "criteria:\n  - kind: maximum\n    metric: fpr\n    value: 0.1\n    per: community\n",
        "gates/g.yaml",
    )
    figures = compute_eval_figures(PredictionTable.from_records(_records()), FAST)
    (result,) = evaluate_gates(gate, figures)
    scopes = {c.scope: c for c in result.checks}
    assert {"community=c0", "community=c1", "community=c2", "community=c3"} <= set(scopes)
    assert result.passed is False
    assert scopes["community=c2"].passed is False
    assert scopes["community=c2"].measured == pytest.approx(1.0)
    assert scopes["community=c0"].passed is True
    assert "per community" in result.requirement


@pytest.mark.parametrize(("mode", "passed"), [("skip", True), ("fail", False)])
def test_a_named_slice_missing_from_the_run_follows_on_low_support(mode: str, passed: bool) -> None:
    gate = load_gate_config(
        f"on_low_support: {mode}\ncriteria:\n  - kind: minimum\n    metric: recall\n"
        "    value: 0.5\n    slices: [community=c0, community=nowhere]\n",
        "gates/g.yaml",
    )
    figures = compute_eval_figures(PredictionTable.from_records(_records()), FAST)
    (result,) = evaluate_gates(gate, figures)
    missing = next(c for c in result.checks if c.scope == "community=nowhere")
    assert missing.note == "not in this run"
    assert missing.passed is (None if mode == "skip" else False)
    assert result.passed is passed


def test_recall_regression_per_community_is_judged_on_violating_items_not_slice_size() -> None:
    gate = load_gate_config(
        "min_support: 30\ncriteria:\n  - kind: regression\n    metric: recall\n"
        "    max_drop: 0.05\n    per: community\n",
        "gates/g.yaml",
    )
    base = _records(noisy="none")
    # The candidate misses c3's only violating item: recall there falls from 1 to 0.
    cand = [r.model_copy(update={"predicted": False}) if r.item_id == "i0003" else r
            for r in base]  # fmt: skip
    comparison = compare_predictions(
        PredictionTable.from_records(base), PredictionTable.from_records(cand), config=FAST
    )
    figures = compute_eval_figures(PredictionTable.from_records(cand), FAST)
    (result,) = evaluate_gates(gate, figures, comparison=comparison)
    c3 = next(c for c in result.checks if c.scope == "community=c3")
    assert c3.support == 1 and c3.passed is None and "rests on 1 items" in (c3.note or "")
    c0 = next(c for c in result.checks if c.scope == "community=c0")
    positives = sum(r.gold for r in base if r.slices["community"] == ("c0",))
    assert c0.support == positives and c0.passed is True
