import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from modgate.evaluate import BetaPrior, fit_beta_prior
from modgate.monitor import (
    RateChangeCheck,
    SegmentCounts,
    benjamini_hochberg,
    beta_binomial_predictive_p_values,
    detect_rate_changes,
    fisher_exact_p_values,
    shrunk_rates,
)
from modgate.monitor._rates import minimum_attainable_p_values, tarone_testable


def _betabinom_pmf_direct(k: int, n: int, a: float, b: float) -> float:
    return math.comb(n, k) * math.exp(special.betaln(k + a, n - k + b) - special.betaln(a, b))


def test_predictive_p_values_equal_direct_summation_of_the_pmf():
    prior = BetaPrior(alpha=2.0, beta=18.0)
    kr, nr = np.array([3, 40, 0, 7]), np.array([20, 400, 2, 70])
    kc, nc = np.array([5, 30, 1, 0]), np.array([10, 150, 1, 9])
    ours = beta_binomial_predictive_p_values(kr, nr, kc, nc, prior)
    for i in range(len(kr)):
        a, b = prior.alpha + kr[i], prior.beta + nr[i] - kr[i]
        pmf = [_betabinom_pmf_direct(j, int(nc[i]), a, b) for j in range(nc[i] + 1)]
        lower = sum(pmf[: kc[i] + 1])
        upper = sum(pmf[kc[i] :])
        assert ours[i] == pytest.approx(min(1.0, 2 * min(lower, upper)), rel=1e-9)


def test_fisher_exact_matches_scipy():
    p = fisher_exact_p_values([3, 10], [30, 100], [9, 10], [30, 100])
    assert p[0] == pytest.approx(stats.fisher_exact([[9, 21], [3, 27]]).pvalue)
    assert p[1] == pytest.approx(1.0)


def test_bh_equals_direct_step_up():
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.random(200), rng.random(20) * 1e-4])
    q = benjamini_hochberg(p)
    m = len(p)
    order = np.argsort(p)
    direct = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        direct[i] = running
    assert np.allclose(q, direct)


def test_fitted_prior_recovers_the_simulated_beta_and_beats_moments():
    rng = np.random.default_rng(1)
    n = rng.integers(20, 400, 4000)
    k = rng.binomial(n, rng.beta(2, 18, n.size))
    prior = fit_beta_prior(k, n)
    assert prior.mean == pytest.approx(0.1, abs=0.005)
    assert prior.alpha + prior.beta == pytest.approx(20, rel=0.2)
    # the MLE's log-likelihood (scipy's beta-binomial) is at least that of a moment estimate
    rates = k / n
    mean, var = rates.mean(), rates.var()
    conc = mean * (1 - mean) / var - 1
    moments = stats.betabinom.logpmf(k, n, mean * conc, (1 - mean) * conc).sum()
    mle = stats.betabinom.logpmf(k, n, prior.alpha, prior.beta).sum()
    assert mle >= moments - 1e-6


def test_niche_community_is_shrunk_toward_site_rate_and_large_one_is_not():
    prior = BetaPrior(alpha=2.0, beta=18.0)
    s = shrunk_rates([1, 5000], [2, 10000], prior)
    assert abs(s[0] - 0.1) < abs(0.5 - 0.1) / 5  # 1/2 read as ~0.14
    assert s[1] == pytest.approx(0.5, abs=0.001)


def test_tiny_segments_leave_the_family_but_keep_their_figures():
    prior = BetaPrior(alpha=2.0, beta=18.0)
    minimum = minimum_attainable_p_values([1, 100], [10, 1000], [2, 500], prior)
    assert minimum[0] > 0.01 and minimum[1] < 1e-10
    assert tarone_testable(minimum, 0.01).tolist() == [False, True]
    res = detect_rate_changes([1, 100], [10, 1000], [2, 90], [2, 500], prior=prior)
    assert res.testable == [False, True] and res.q_values[0] == 1.0


@pytest.mark.filterwarnings("ignore::modgate.errors.UndefinedMetricWarning")
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60)),
        min_size=1,
        max_size=30,
    )
)
def test_properties_p_and_q_are_probabilities_q_at_least_p(rows):
    kr = [min(a, b) for a, b, _, _ in rows]
    nr = [max(a, b) for a, b, _, _ in rows]
    kc = [min(c, d) for _, _, c, d in rows]
    nc = [max(c, d) for _, _, c, d in rows]
    res = detect_rate_changes(kr, nr, kc, nc, tarone=False)
    p, q = np.array(res.p_values), np.array(res.q_values)
    assert ((p >= 0) & (p <= 1)).all() and (q >= p - 1e-12).all() and (q <= 1).all()
    assert all(0 < r < 1 for r in res.shrunk_reference)


def test_bad_counts_are_clear_errors():
    with pytest.raises(ValueError, match="0 <= k <= n"):
        detect_rate_changes([5], [3], [1], [2])


def _zipf_window(rng, segments, days_reference, *, boost=None):
    vol = np.maximum(1, (5000 / np.arange(1, segments + 1))).astype(int)
    p = rng.beta(2, 18, segments)
    nr = rng.poisson(vol * days_reference)
    nc = rng.poisson(vol)
    pc = p.copy()
    if boost is not None:
        idx, base, n_day = boost
        p[idx], pc[idx] = base, base * 1.5
        nr[idx], nc[idx] = n_day * days_reference, n_day
    names = [f"c{i:05d}" for i in range(segments)]
    ref = SegmentCounts(segments=names, k=rng.binomial(nr, p).tolist(), n=nr.tolist())
    cur = SegmentCounts(segments=names, k=rng.binomial(nc, pc).tolist(), n=nc.tolist())
    return ref, cur


def test_false_alarm_rate_over_1000_stationary_windows_is_at_most_the_level():
    rng = np.random.default_rng(20261201)
    check = RateChangeCheck(level=0.01)
    alarms = 0
    for _ in range(1000):
        ref, cur = _zipf_window(rng, 40, 7)
        alarms += any(r.fired for r in check.evaluate(ref, cur))
    assert alarms / 1000 <= 0.01


def test_plus_50_percent_in_a_watched_200_a_day_community_is_detected_within_a_day():
    # base action rate 30 %, 14-day reference, one day of 200 items at 45 %
    rng = np.random.default_rng(7)
    check = RateChangeCheck(level=0.01)
    hits = 0
    for _ in range(100):
        ref, cur = _zipf_window(rng, 1, 14, boost=(0, 0.3, 200))
        hits += check.evaluate(ref, cur)[0].fired
    assert hits >= 90


def test_plus_50_percent_among_1000_communities_is_detected_with_fdr_control():
    # same change, one community among 1,000 Zipf-sized ones; the family is the communities with
    # at least 200 items that day (measured: 81 % detected in one day at FDR 1 %)
    rng = np.random.default_rng(3)
    check = RateChangeCheck(level=0.01, min_support=200)
    hits = 0
    for _ in range(50):
        ref, cur = _zipf_window(rng, 1000, 14, boost=(0, 0.3, 200))
        hits += next(r for r in check.evaluate(ref, cur) if r.segment == "c00000").fired
    assert hits >= 35
