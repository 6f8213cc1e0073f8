import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance

from modgate.errors import UndefinedMetricWarning
from modgate.monitor import (
    bin_edges,
    histogram_scores,
    jensen_shannon_divergence,
    kolmogorov_smirnov,
    population_stability_index,
    wasserstein_distance,
)
from modgate.monitor._drift import merge_sparse_bins

BINS = 20
CENTRES = (bin_edges(BINS)[:-1] + bin_edges(BINS)[1:]) / 2


def _scores_at_centres(rng: np.random.Generator, a: float, b: float, n: int) -> np.ndarray:
    raw = rng.beta(a, b, n)
    return CENTRES[np.minimum((raw * BINS).astype(int), BINS - 1)]


def test_histogram_matches_sql_binning_and_numpy():
    s = np.array([0.0, 0.049, 0.05, 0.5, 0.999, 1.0])
    h = histogram_scores(s, 20)
    assert h.sum() == 6 and h[0] == 2 and h[1] == 1 and h[10] == 1 and h[19] == 2
    rng = np.random.default_rng(0)
    x = rng.random(1000)
    assert np.array_equal(histogram_scores(x, 10), np.histogram(x, bins=bin_edges(10))[0])


def test_ks_equals_scipy_on_scores_at_bin_centres():
    rng = np.random.default_rng(1)
    a = _scores_at_centres(rng, 2, 5, 3000)
    b = _scores_at_centres(rng, 2.4, 5, 800)
    ours = kolmogorov_smirnov(histogram_scores(a), histogram_scores(b))
    ref = stats.ks_2samp(a, b, method="asymp")
    assert ours.value == pytest.approx(ref.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-6)


def test_psi_equals_direct_formula_and_pearson_p_value():
    rng = np.random.default_rng(2)
    r = histogram_scores(rng.beta(2, 5, 5000)).astype(float)
    c = histogram_scores(rng.beta(2.2, 5, 1000)).astype(float)
    pr = np.maximum(r / r.sum(), 1e-4)
    pc = np.maximum(c / c.sum(), 1e-4)
    direct = sum((pc[i] - pr[i]) * math.log(pc[i] / pr[i]) for i in range(len(r)))
    res = population_stability_index(r, c)
    assert res.value == pytest.approx(direct, rel=1e-12)
    mr, mc = merge_sparse_bins(r, c)
    assert res.p_value == pytest.approx(
        stats.chi2_contingency(np.vstack([mr, mc]), correction=False).pvalue
    )
    # merged bins keep the counts and have at least 5 expected in the smaller window
    assert mr.sum() == r.sum() and mc.sum() == c.sum()
    assert (min(r.sum(), c.sum()) * (mr + mc) / (r.sum() + c.sum()) >= 5).all()


def test_js_equals_entropy_formula():
    rng = np.random.default_rng(3)
    r = histogram_scores(rng.beta(2, 5, 4000)).astype(float)
    c = histogram_scores(rng.beta(5, 2, 900)).astype(float)
    p, q = r / r.sum(), c / c.sum()
    m = (p + q) / 2
    direct = 0.5 * stats.entropy(p, m) + 0.5 * stats.entropy(q, m)
    assert jensen_shannon_divergence(r, c).value == pytest.approx(direct, rel=1e-9)


def test_wasserstein_equals_scipy_on_raw_scores():
    rng = np.random.default_rng(4)
    a = _scores_at_centres(rng, 2, 5, 2000)
    b = _scores_at_centres(rng, 3, 5, 700)
    ours = wasserstein_distance(histogram_scores(a), histogram_scores(b))
    assert ours.value == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9)
    assert ours.p_value is None


def test_empty_window_warns_and_gives_nan():
    with pytest.warns(UndefinedMetricWarning):
        res = population_stability_index([0, 0, 0], [1, 2, 3])
    assert math.isnan(res.value) and res.p_value is None


def test_mismatched_bins_is_a_clear_error():
    with pytest.raises(ValueError, match="same bins"):
        kolmogorov_smirnov([1, 2], [1, 2, 3])


hist = st.lists(st.integers(0, 500), min_size=2, max_size=25)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_properties_psi_nonnegative_js_symmetric_bounded(data):
    r = data.draw(hist)
    c = data.draw(st.lists(st.integers(0, 500), min_size=len(r), max_size=len(r)))
    if sum(r) == 0 or sum(c) == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        psi = population_stability_index(r, c)
        js = jensen_shannon_divergence(r, c)
        js_back = jensen_shannon_divergence(c, r)
        ks = kolmogorov_smirnov(r, c)
    assert psi.value >= 0
    assert 0 <= js.value <= math.log(2) + 1e-12
    assert js.value == pytest.approx(js_back.value, abs=1e-12)
    assert 0 <= ks.value <= 1
    for res in (psi, js, ks):
        assert res.p_value is not None and 0 <= res.p_value <= 1
    same = population_stability_index(r, r)
    assert same.value == pytest.approx(0, abs=1e-12)
    assert distance.jensenshannon(np.array(r) / sum(r), np.array(c) / sum(c)) ** 2 == (
        pytest.approx(js.value, abs=1e-9)
    )


WINDOWS = 1000
LEVEL = 0.01
# 1,000 windows measure a rate near 1 % to about ±0.3 points (one standard error):
# tests at their level may read slightly above it by chance; three standard errors is the bound.
SLACK = 3 * math.sqrt(LEVEL * (1 - LEVEL) / WINDOWS)


@pytest.mark.parametrize(
    ("fn", "bound"),
    [
        (population_stability_index, LEVEL + SLACK),
        (jensen_shannon_divergence, LEVEL + SLACK),
        (kolmogorov_smirnov, LEVEL),  # binned KS is conservative
    ],
)
def test_false_alarm_rate_on_stationary_windows(fn, bound):
    rng = np.random.default_rng(20261201)
    alarms = 0
    for _ in range(WINDOWS):
        ref = histogram_scores(rng.beta(2, 5, 2000))
        cur = histogram_scores(rng.beta(2, 5, 500))
        alarms += fn(ref, cur).p_value <= LEVEL
    assert alarms / WINDOWS <= bound


def test_psi_detects_a_real_shift():
    rng = np.random.default_rng(5)
    hits = 0
    for _ in range(100):
        ref = histogram_scores(rng.beta(2, 5, 2000))
        cur = histogram_scores(rng.beta(2.6, 5, 500))
        hits += population_stability_index(ref, cur).p_value <= LEVEL
    assert hits >= 90
