from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from modgate.errors import ValidationError
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    PredictionTable,
    compare_predictions,
    mcnemar_test,
)
from tests.evaluate.conftest import make_records

FAST = FigureConfig(intervals=IntervalConfig(resamples=200))


def _edited(records, flip_every: int):  # type: ignore[no-untyped-def]
    """Run B: fixes the counter-speech false positives, breaks every `flip_every`-th item."""
    out = []
    for i, r in enumerate(records):
        predicted = r.predicted
        if "counter_speech" in r.slices.get("tag", ()) and not r.gold:
            predicted = False
        elif i % flip_every == 0:
            predicted = not r.predicted
        out.append(r.model_copy(update={"predicted": predicted, "cost": 0.002}))
    return out


def test_flip_report_counts_flips_fixed_broken_and_target_slices() -> None:
    a_records = make_records(500)
    b_records = _edited(a_records, flip_every=50)
    a, b = PredictionTable.from_records(a_records), PredictionTable.from_records(b_records)
    report = compare_predictions(
        a, b, config=FAST, target_slices=["tag=counter_speech"], run_a="A", run_b="B"
    )
    flipped = a.predicted != b.predicted
    assert report.n_flipped == int(flipped.sum())
    assert report.fixed + report.broken == report.n_flipped
    assert report.fixed == int((flipped & (b.predicted == b.gold)).sum())
    assert report.flipped_in_target + report.flipped_outside_target == report.n_flipped
    target_flips = [f for f in report.flipped if f.targeted]
    assert target_flips and all("tag=counter_speech" in f.slices for f in target_flips)
    assert all(f.change == "fixed" for f in target_flips)
    assert report.flipped[0].change == "broken"  # broken first
    row = next(s for s in report.slices if s.name == "tag=counter_speech")
    assert row.targeted and row.flips >= len(target_flips)
    fpr = next(d for d in row.deltas if d.name == "fpr")
    assert fpr.after == 0.0 and fpr.delta is not None and fpr.delta <= 0
    assert report.cost_latency.cost_total_delta == pytest.approx(0.5)


def test_overall_deltas_are_b_minus_a_with_intervals() -> None:
    a_records = make_records(400)
    b_records = _edited(a_records, flip_every=20)
    a, b = PredictionTable.from_records(a_records), PredictionTable.from_records(b_records)
    report = compare_predictions(a, b, config=FAST)
    recall = report.delta("recall")
    expected = (b.predicted & b.gold).sum() / b.gold.sum() - (
        a.predicted & a.gold
    ).sum() / a.gold.sum()
    assert recall.delta == pytest.approx(expected)
    assert recall.lower is not None and recall.upper is not None
    assert recall.lower <= recall.delta <= recall.upper
    assert report.delta("roc_auc").delta == pytest.approx(0.0)  # scores unchanged


def test_mcnemar_matches_statsmodels() -> None:
    rng = np.random.default_rng(0)
    a = rng.random(300) < 0.8
    b = rng.random(300) < 0.7
    got = mcnemar_test(a, b)
    table = [[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]]
    expected = mcnemar(table, exact=False, correction=True)
    assert got.p_value == pytest.approx(expected.pvalue)
    assert got.exact is False
    small = mcnemar_test(np.array([True, False, True]), np.array([False, False, True]))
    assert small.exact is True
    none = mcnemar_test(a, a)
    assert none.p_value is None


def test_runs_on_different_items_are_aligned_and_different_gold_is_refused() -> None:
    records = make_records(100)
    a = PredictionTable.from_records(records)
    b = PredictionTable.from_records(records[10:])
    report = compare_predictions(a, b, config=FAST)
    assert report.n_items == 90 and report.only_in_a == 10
    wrong = [r.model_copy(update={"gold": not r.gold}) if i == 3 else r
             for i, r in enumerate(records)]  # fmt: skip
    with pytest.raises(ValidationError, match="gold labels"):
        compare_predictions(a, PredictionTable.from_records(wrong), config=FAST)
    with pytest.raises(ValidationError, match="share no item"):
        compare_predictions(a, PredictionTable.from_records([]), config=FAST)


def test_paired_ranking_delta_intervals_match_an_item_level_paired_bootstrap() -> None:
    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score

    from modgate.evaluate import IntervalConfig
    from modgate.evaluate._intervals import paired_ranking_deltas

    rng = np.random.default_rng(7)
    n = 300
    gold = rng.random(n) < 0.3
    a = np.clip(rng.normal(0.4 + 0.2 * gold, 0.2), 0, 1)
    b = np.clip(a + rng.normal(0.05 * gold, 0.1), 0, 1)
    config = IntervalConfig(resamples=2000, score_bins=100_000, seed=3)
    exact = {
        "auprc": (average_precision_score(gold, a), average_precision_score(gold, b)),
        "roc_auc": (roc_auc_score(gold, a), roc_auc_score(gold, b)),
    }
    bounds = paired_ranking_deltas(gold, a, b, config, exact=exact, max_bins=100_000)
    binned = paired_ranking_deltas(gold, a, b, config, exact=exact)  # 64 bins, shifted
    # Independent computation: resample items as pairs, scikit-learn on each resample.
    direct: dict[str, list[float]] = {"auprc": [], "roc_auc": []}
    for _ in range(500):
        pick = rng.integers(0, n, n)
        y = gold[pick]
        direct["auprc"].append(
            average_precision_score(y, b[pick]) - average_precision_score(y, a[pick])
        )
        direct["roc_auc"].append(roc_auc_score(y, b[pick]) - roc_auc_score(y, a[pick]))
    for name, samples in direct.items():
        low, high = np.quantile(samples, [0.025, 0.975])
        assert bounds[name][0] == pytest.approx(low, abs=0.02)
        assert bounds[name][1] == pytest.approx(high, abs=0.02)
        delta = exact[name][1] - exact[name][0]
        assert bounds[name][0] < delta < bounds[name][1]
        assert binned[name][0] == pytest.approx(low, abs=0.025)
        assert binned[name][1] == pytest.approx(high, abs=0.025)
    one_class = paired_ranking_deltas(np.ones(5, dtype=bool), a[:5], b[:5], config)
    assert all(np.isnan(v) for pair in one_class.values() for v in pair)
