from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from modgate.errors import ValidationError
from modgate.evaluate import IntervalConfig, wilson_interval
from modgate.evaluate._intervals import (
    bootstrap_confusion_counts,
    bootstrap_count_intervals,
    bootstrap_ranking_intervals,
    paired_bootstrap_deltas,
    paired_cell_counts,
    ranking_figures_from_bins,
    score_bin_counts,
)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 400), st.sampled_from([3, 11, 10_000]))
def test_binned_ranking_figures_equal_scikit_learn_when_bins_are_distinct_scores(
    seed: int, n: int, levels: int
) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.35
    y[0], y[1] = True, False
    s = np.round(rng.random(n) * levels) / levels
    pos, neg = score_bin_counts(y, s, max_bins=100_000)
    got = ranking_figures_from_bins(pos, neg)
    assert float(got["auprc"]) == pytest.approx(average_precision_score(y, s), abs=1e-12)
    assert float(got["roc_auc"]) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_quantile_bins_never_split_ties_and_stay_close_to_exact() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(5000) < 0.3
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1)
    pos, neg = score_bin_counts(y, s, max_bins=200)
    assert pos.size <= 200 and pos.sum() == y.sum() and neg.sum() == (~y).sum()
    got = ranking_figures_from_bins(pos, neg)
    assert float(got["roc_auc"]) == pytest.approx(roc_auc_score(y, s), abs=0.005)
    assert float(got["auprc"]) == pytest.approx(average_precision_score(y, s), abs=0.01)


def test_wilson_interval_equals_statsmodels_and_handles_zero_trials() -> None:
    lower, upper = wilson_interval([0, 3, 10, 0], [10, 10, 10, 0], 0.9)
    ref_lo, ref_hi = proportion_confint([0, 3, 10], [10, 10, 10], alpha=0.1, method="wilson")
    assert np.allclose(lower[:3], ref_lo) and np.allclose(upper[:3], ref_hi)
    assert np.isnan(lower[3]) and np.isnan(upper[3])
    with pytest.raises(ValidationError, match="exceed"):
        wilson_interval([5], [3])


def test_wilson_matches_scipy_binomtest() -> None:
    ci = stats.binomtest(17, 40).proportion_ci(confidence_level=0.95, method="wilson")
    lower, upper = wilson_interval([17], [40], 0.95)
    assert lower[0] == pytest.approx(ci.low) and upper[0] == pytest.approx(ci.high)


def test_plain_count_bootstrap_has_the_item_bootstrap_distribution() -> None:
    rng = np.random.default_rng(12)
    tp, fn, fp, tn = 40, 20, 15, 125
    tp_b, fn_b, fp_b, tn_b = bootstrap_confusion_counts(
        [tp], [fn], [fp], [tn], resamples=20_000, rng=rng
    )
    assert ((tp_b + fn_b + fp_b + tn_b) == 200).all()
    cells = np.array([0] * tp + [1] * fn + [2] * fp + [3] * tn)
    items = rng.choice(cells, size=(20_000, cells.size))
    item_precision = (items == 0).sum(1) / ((items == 0) | (items == 2)).sum(1)
    precision = tp_b[:, 0] / (tp_b[:, 0] + fp_b[:, 0])
    assert precision.mean() == pytest.approx(item_precision.mean(), rel=0.01)
    assert precision.std() == pytest.approx(item_precision.std(), rel=0.05)


def test_stratified_count_bootstrap_has_the_stratified_item_bootstrap_distribution() -> None:
    # Resampling counts binomially per class is the class-stratified item bootstrap.
    rng = np.random.default_rng(11)
    tp, fn, fp, tn = 40, 20, 15, 125
    tp_b, _fn_b, fp_b, _tn_b = bootstrap_confusion_counts(
        [tp], [fn], [fp], [tn], resamples=20_000, rng=rng, stratified=True
    )
    y_pos = np.array([1] * tp + [0] * fn)
    y_neg = np.array([1] * fp + [0] * tn)
    item_tp = rng.choice(y_pos, size=(20_000, y_pos.size)).sum(axis=1)
    item_fp = rng.choice(y_neg, size=(20_000, y_neg.size)).sum(axis=1)
    assert tp_b.mean() == pytest.approx(item_tp.mean(), rel=0.01)
    assert tp_b.std() == pytest.approx(item_tp.std(), rel=0.05)
    assert fp_b.std() == pytest.approx(item_fp.std(), rel=0.05)


def test_intervals_are_seeded_and_contain_the_point() -> None:
    config = IntervalConfig(seed=5)
    a = bootstrap_count_intervals([30], [10], [8], [90], config)
    b = bootstrap_count_intervals([30], [10], [8], [90], config)
    assert a["precision"][0][0] == b["precision"][0][0]
    precision = 30 / 38
    assert a["precision"][0][0] <= precision <= a["precision"][1][0]


def test_undefined_groups_give_nan_intervals_not_errors() -> None:
    got = bootstrap_count_intervals([0, 0], [0, 5], [0, 0], [0, 0], IntervalConfig())
    assert np.isnan(got["precision"][0]).all()
    assert np.isnan(got["recall"][0][0]) and not np.isnan(got["recall"][0][1])
    empty = bootstrap_ranking_intervals(
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), IntervalConfig()
    )
    assert all(np.isnan(v).all() for v in empty.values())


def _coverage(hits: np.ndarray) -> float:
    return float(np.mean(hits))


def test_count_interval_coverage_is_about_95_percent_by_simulation() -> None:
    # Population: 30 % violating; scores Beta(4, 2) if violating, Beta(2, 4) if not; t = 0.5.
    prevalence, n, sims = 0.3, 400, 400
    tpr = stats.beta(4, 2).sf(0.5)
    fpr = stats.beta(2, 4).sf(0.5)
    true_precision = prevalence * tpr / (prevalence * tpr + (1 - prevalence) * fpr)
    true_f1 = 2 * true_precision * tpr / (true_precision + tpr)
    rng = np.random.default_rng(2024)
    positives = rng.binomial(n, prevalence, size=sims)
    tp = rng.binomial(positives, tpr)
    fp = rng.binomial(n - positives, fpr)
    # Every simulated sample is one group: 400 samples' intervals in one vectorized call.
    got = bootstrap_count_intervals(tp, positives - tp, fp, n - positives - fp, IntervalConfig())
    for name, truth in (("precision", true_precision), ("recall", tpr), ("fpr", fpr),
                        ("f1", true_f1)):  # fmt: skip
        lower, upper = got[name]
        coverage = _coverage((lower <= truth) & (truth <= upper))
        assert 0.91 <= coverage <= 0.99, (name, coverage)


def test_ranking_interval_coverage_is_about_95_percent_by_simulation() -> None:
    prevalence, n, sims = 0.3, 300, 150
    pos_dist, neg_dist = stats.beta(4, 2), stats.beta(2, 4)
    # True ROC-AUC = P(X > Y) by numerical integration.
    grid = np.linspace(0, 1, 20_001)
    true_auc = float(np.trapezoid(pos_dist.pdf(grid) * neg_dist.cdf(grid), grid))
    rng = np.random.default_rng(7)
    config = IntervalConfig(resamples=500)
    hits = []
    for _ in range(sims):
        y = rng.random(n) < prevalence
        s = np.where(y, pos_dist.rvs(n, random_state=rng), neg_dist.rvs(n, random_state=rng))
        pos, neg = score_bin_counts(y, s, config.score_bins)
        exact = {"roc_auc": roc_auc_score(y, s), "auprc": average_precision_score(y, s)}
        lower, upper = bootstrap_ranking_intervals(pos, neg, config, rng, exact=exact)["roc_auc"]
        hits.append(lower <= true_auc <= upper)
    assert 0.89 <= _coverage(np.array(hits)) <= 0.995


def test_paired_deltas_of_identical_runs_are_zero_with_zero_width() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    p = rng.random(300) < 0.4
    groups = np.zeros(300, dtype=np.int64)
    cells = paired_cell_counts(y, p, p, groups, 1)
    got = paired_bootstrap_deltas(cells, IntervalConfig())
    for delta, lower, upper in got.values():
        assert delta[0] == 0.0 and lower[0] == 0.0 and upper[0] == 0.0


def test_paired_delta_point_is_the_difference_of_the_runs() -> None:
    rng = np.random.default_rng(2)
    y = rng.random(500) < 0.3
    a = rng.random(500) < 0.3
    b = a.copy()
    b[:60] = y[:60]  # B fixes some items
    cells = paired_cell_counts(y, a, b, np.zeros(500, dtype=np.int64), 1)
    delta, lower, upper = paired_bootstrap_deltas(cells, IntervalConfig())["recall"]
    recall_a = (a & y).sum() / y.sum()
    recall_b = (b & y).sum() / y.sum()
    assert delta[0] == pytest.approx(recall_b - recall_a)
    assert lower[0] <= delta[0] <= upper[0]


def test_stratified_bootstrap_option_keeps_class_counts_for_recall_and_fpr() -> None:
    config = IntervalConfig(proportion_method="bootstrap", resamples=500)
    got = bootstrap_count_intervals([0, 30], [0, 10], [5, 8], [50, 90], config)
    lower, upper = got["recall"]
    assert np.isnan(lower[0]) and 0.0 < lower[1] < 0.75 < upper[1] <= 1.0


def test_perfect_precision_gets_a_wilson_interval_not_a_point() -> None:
    got = bootstrap_count_intervals([20], [5], [0], [75], IntervalConfig())
    lower, upper = got["precision"]
    wilson_lower, _ = wilson_interval([20], [20])
    assert upper[0] == 1.0 and lower[0] == pytest.approx(wilson_lower[0]) and lower[0] < 0.9
