"""The eval figures: reliability bins and histograms against sklearn / numpy, and their specs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve

from modgate.evaluate import (
    calibration_bins,
    reliability_chart,
    render_svg,
    score_histogram,
    score_histogram_chart,
    wilson_interval,
)
from modgate.evaluate._predictions import PredictionRecord


def _records(scores: list[float], gold: list[bool]) -> list[PredictionRecord]:
    return [
        PredictionRecord(
            item_id=f"i{k}",
            gold=g,
            score=s,
            predicted=s >= 0.5,
            action="allow",
            criteria=(),
            gold_criteria=(),
            error=None,
            latency_ms=1.0,
            cost=0.0,
            slices={},
        )
        for k, (s, g) in enumerate(zip(scores, gold, strict=True))
    ]


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200),
    st.integers(2, 15),
)
def test_calibration_bins_match_sklearn_calibration_curve(
    rows: list[tuple[float, bool]], bins: int
) -> None:
    scores = np.array([r[0] for r in rows])
    gold = np.array([r[1] for r in rows])
    found = calibration_bins(scores, gold, bins=bins)
    prob_true, prob_pred = calibration_curve(gold, scores, n_bins=bins, strategy="uniform")
    assert np.allclose([b.observed for b in found], prob_true)
    assert np.allclose([b.mean_score for b in found], prob_pred)
    assert sum(b.count for b in found) == len(rows)
    k = np.array([round(b.observed * b.count) for b in found])
    lo, hi = wilson_interval(k, [b.count for b in found])
    assert np.allclose([b.observed_lower for b in found], lo)
    assert np.allclose([b.observed_upper for b in found], hi)


def test_missing_scores_are_left_out_of_the_bins() -> None:
    found = calibration_bins([0.1, np.nan, 0.95], [False, True, True], bins=10)
    assert [(b.count, b.observed) for b in found] == [(1, 0.0), (1, 1.0)]


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=100), st.integers(1, 30))
def test_score_histogram_matches_numpy(rows: list[tuple[float, bool]], bins: int) -> None:
    scores = np.array([r[0] for r in rows], dtype=float)
    gold = np.array([r[1] for r in rows], dtype=bool)
    found = score_histogram(scores, gold, bins=bins)
    for label, mask in (("violating", gold), ("non_violating", ~gold)):
        counts = [r["count"] for r in found if r["gold"] == label]
        expected, _ = np.histogram(scores[mask], bins=np.linspace(0, 1, bins + 1))
        assert counts == expected.tolist()


def test_specs_are_vega_lite_that_render_to_svg_offline() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(size=80).tolist()
    gold = (rng.uniform(size=80) < np.array(scores)).tolist()
    spec = reliability_chart(_records(scores, gold))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    layers = spec["layer"]
    assert len(layers) == 3
    svg = render_svg(score_histogram_chart(_records(scores, gold)))
    assert svg.lstrip().startswith("<svg") and "Scores by gold label" in svg
