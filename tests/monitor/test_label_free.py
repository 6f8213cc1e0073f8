import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import precision_score, recall_score

from modgate.monitor import (
    ScoreSums,
    estimate_performance_label_free,
    label_free_from_sums,
    policy_change_impact,
)
from modgate.monitor import disagreement as disagreement_of


def test_expected_precision_recall_match_monte_carlo_over_calibrated_labels():
    rng = np.random.default_rng(0)
    scores = rng.beta(0.4, 2.5, 5000)
    est = estimate_performance_label_free(scores, 0.5)
    precisions, recalls = [], []
    for _ in range(200):
        y = rng.random(scores.size) < scores
        pred = scores >= 0.5
        precisions.append(precision_score(y, pred))
        recalls.append(recall_score(y, pred))
    assert est.expected_precision == pytest.approx(np.mean(precisions), abs=0.005)
    assert est.expected_recall == pytest.approx(np.mean(recalls), abs=0.005)
    assert est.precision_se == pytest.approx(np.std(precisions), rel=0.15)
    assert est.recall_se == pytest.approx(np.std(recalls), rel=0.15)


def test_sums_from_sql_give_the_same_estimate():
    rng = np.random.default_rng(1)
    s = rng.random(1000)
    f = s >= 0.7
    sums = ScoreSums(
        threshold=0.7,
        n=1000,
        n_flagged=int(f.sum()),
        sum_flagged=float(s[f].sum()),
        sum_sq_flagged=float((s[f] ** 2).sum()),
        sum_unflagged=float(s[~f].sum()),
        sum_sq_unflagged=float((s[~f] ** 2).sum()),
    )
    a, b = label_free_from_sums(sums), estimate_performance_label_free(s, 0.7)
    for field in ("expected_precision", "expected_recall", "precision_se", "recall_se"):
        assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-9)


def test_nothing_flagged_is_nan_with_a_warning():
    with pytest.warns(UserWarning):
        est = estimate_performance_label_free([0.1, 0.2], 0.9)
    assert math.isnan(est.expected_precision)


def test_policy_impact_uses_exact_binomial_and_beta_binomial():
    r = policy_change_impact(30, 200, expected_rate=0.1)
    assert r.p_value == pytest.approx(stats.binomtest(30, 200, 0.1).pvalue)
    assert r.difference == pytest.approx(0.05)
    wide = policy_change_impact(30, 200, expected_k=10, expected_n=100)
    narrow = policy_change_impact(30, 200, expected_k=1000, expected_n=10000)
    assert wide.p_value > narrow.p_value  # the expectation's own uncertainty counts
    with pytest.raises(ValueError, match="expected_rate"):
        policy_change_impact(1, 2)


def test_disagreement_mcnemar_exact():
    a = np.array([1, 1, 0, 0, 1, 0, 0, 0] * 20, dtype=bool)
    c = np.array([1, 0, 1, 1, 1, 1, 0, 0] * 20, dtype=bool)
    r = disagreement_of(a, c)
    assert (r.only_active, r.only_challenger, r.n) == (20, 60, 160)
    assert r.rate == pytest.approx(0.5)
    assert r.mcnemar_p_value == pytest.approx(stats.binomtest(60, 80).pvalue)
