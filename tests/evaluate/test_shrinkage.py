from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from modgate.errors import UndefinedMetricWarning
from modgate.evaluate import (
    BetaPrior,
    beta_binomial_log_likelihood,
    estimate_communities,
    fit_beta_prior,
    plan_label_budget,
    posterior_rate,
    shrink_rates,
)


def _direct_log_likelihood(a: float, b: float, k: np.ndarray, n: np.ndarray) -> float:
    # beta-binomial pmf written out: C(n, k) B(k + a, n - k + b) / B(a, b)
    log_choose = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    return float(np.sum(log_choose + special.betaln(k + a, n - k + b) - special.betaln(a, b)))


def _simulate(
    rng: np.random.Generator, groups: int, a: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = rng.beta(a, b, groups)
    n = np.minimum(rng.zipf(1.6, groups), 400)  # long tail: most communities have a few items
    return rng.binomial(n, p), n, p


def test_the_fit_maximises_the_beta_binomial_likelihood_written_out() -> None:
    k, n, _ = _simulate(np.random.default_rng(11), 400, 3.0, 9.0)
    prior = fit_beta_prior(k, n)
    direct = optimize.minimize(
        lambda x: -_direct_log_likelihood(math.exp(x[0]), math.exp(x[1]), k, n),
        np.array([0.0, 0.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000},
    )
    a, b = math.exp(direct.x[0]), math.exp(direct.x[1])
    assert _direct_log_likelihood(prior.alpha, prior.beta, k, n) >= -direct.fun - 1e-4
    assert prior.alpha == pytest.approx(a, rel=0.02)
    assert prior.beta == pytest.approx(b, rel=0.02)
    assert prior.groups == 400
    assert beta_binomial_log_likelihood(a, b, k, n) == pytest.approx(
        _direct_log_likelihood(a, b, k, n)
    )


def test_the_posterior_is_the_conjugate_beta() -> None:
    prior = BetaPrior(alpha=2.5, beta=7.5)
    rate = posterior_rate(3, 4, prior, level=0.8)
    assert rate.raw == 0.75
    assert rate.shrunk == pytest.approx((2.5 + 3) / (10 + 4))
    low, high = stats.beta(5.5, 8.5).interval(0.8)
    assert (rate.low, rate.high) == pytest.approx((low, high))
    assert rate.sd == pytest.approx(stats.beta(5.5, 8.5).std())
    k, n, _ = _simulate(np.random.default_rng(1), 50, 2.0, 5.0)
    site = fit_beta_prior(k, n)
    together = shrink_rates(k, n, level=0.8)
    one_by_one = [
        posterior_rate(int(a), int(b), site, level=0.8) for a, b in zip(k, n, strict=True)
    ]
    for x, y in zip(together, one_by_one, strict=True):
        assert x.model_dump() == pytest.approx(y.model_dump())


def test_intervals_cover_the_true_rates_at_their_level_by_simulation() -> None:
    rng = np.random.default_rng(2026)
    covered, raw_error, shrunk_error = [], [], []
    for _ in range(25):
        k, n, p = _simulate(rng, 300, 2.0, 8.0)
        rates = shrink_rates(k, n, level=0.9)
        low = np.array([r.low for r in rates])
        high = np.array([r.high for r in rates])
        shrunk = np.array([r.shrunk for r in rates])
        covered.append(np.mean((low <= p) & (p <= high)))
        raw_error.append(np.mean((k / n - p) ** 2))
        shrunk_error.append(np.mean((shrunk - p) ** 2))
    assert 0.87 <= float(np.mean(covered)) <= 0.93
    assert np.mean(shrunk_error) < 0.7 * np.mean(raw_error)  # shrinkage pays in the long tail


def test_communities_shrink_toward_their_family_when_it_is_big_enough() -> None:
    rng = np.random.default_rng(5)
    k_a, n_a, _ = _simulate(rng, 60, 2.0, 8.0)  # family a: rates around 0.2
    k_b, n_b, _ = _simulate(rng, 60, 8.0, 2.0)  # family b: rates around 0.8
    k = np.concatenate([k_a, k_b, [1]])
    n = np.concatenate([n_a, n_b, [2]])
    families = ["a"] * 60 + ["b"] * 60 + ["tiny"]
    rates = shrink_rates(k, n, families=families, min_groups=5)
    assert {r.toward for r in rates[:60]} == {"family:a"}
    assert {r.toward for r in rates[60:120]} == {"family:b"}
    assert rates[-1].toward == "site"  # a family of one has no prior of its own
    assert rates[0].prior_mean == pytest.approx(fit_beta_prior(k_a, n_a).mean)
    assert rates[0].prior_mean < 0.35 < 0.65 < rates[60].prior_mean


def test_degenerate_input_warns_and_stays_defined() -> None:
    with pytest.warns(UndefinedMetricWarning, match="no group has data"):
        assert fit_beta_prior([0, 0], [0, 0]).mean == 0.5
    with pytest.warns(UndefinedMetricWarning, match="rate is 0"):
        prior = fit_beta_prior([0, 0, 0], [5, 10, 3])
    assert 0 < prior.mean < 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = shrink_rates([0, 1], [0, 4])  # no warning escapes the estimates
    assert rates[0].raw is None and 0 < rates[0].shrunk < 1
    assert shrink_rates([], []) == []
    with pytest.raises(ValueError, match="successes ≤ trials"):
        shrink_rates([3], [2])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=30),
    st.floats(0.5, 0.99),
)
def test_shrunk_rates_lie_between_raw_and_prior_and_the_interval_holds_the_median(
    pairs: list[tuple[int, int]], level: float
) -> None:
    n = [a + b for a, b in pairs]
    k = [a for a, _ in pairs]
    for rate in shrink_rates(k, n, level=level):
        a = rate.prior_mean * rate.prior_strength + rate.successes
        b = (1 - rate.prior_mean) * rate.prior_strength + rate.trials - rate.successes
        median = stats.beta(a, b).median()
        assert rate.low - 1e-9 <= median <= rate.high + 1e-9
        assert 0 < rate.shrunk < 1
        if rate.raw is not None:
            lo, hi = sorted((rate.raw, rate.prior_mean))
            assert lo - 1e-9 <= rate.shrunk <= hi + 1e-9


def test_community_estimates_count_like_a_groupby() -> None:
    rng = np.random.default_rng(3)
    size = 2000
    frame = pd.DataFrame(
        {
            "community": rng.choice([f"c{i}" for i in range(40)], size, p=None),
            "gold": rng.random(size) < 0.3,
        }
    )
    frame["predicted"] = frame.gold ^ (rng.random(size) < 0.15)
    frame["actioned"] = frame.predicted | (rng.random(size) < 0.05)
    estimates = estimate_communities(
        frame.community.tolist(), frame.gold, frame.predicted, frame.actioned
    )
    grouped = frame.assign(tp=frame.gold & frame.predicted).groupby("community")
    direct = grouped.agg(
        tp=("tp", "sum"),
        pp=("predicted", "sum"),
        gp=("gold", "sum"),
        act=("actioned", "sum"),
        items=("gold", "size"),
    )
    assert [e.community for e in estimates] == sorted(direct.index)
    for e in estimates:
        row = direct.loc[e.community]
        assert (e.precision.successes, e.precision.trials) == (row.tp, row.pp)
        assert (e.recall.successes, e.recall.trials) == (row.tp, row.gp)
        assert (e.action_rate.successes, e.action_rate.trials, e.items) == (
            row.act,
            row["items"],
            row["items"],
        )


def test_the_planner_is_proportional_until_a_community_runs_out_of_volume() -> None:
    plan = plan_label_budget(["a", "b", "c"], [0.1, 0.1, 0.2], [1000, 1000, 1000], 400)
    weights = np.array([0.1, 0.1, 0.2]) * 1000
    assert [a.reviews for a in plan] == pytest.approx(list(400 * weights / weights.sum()), abs=1)
    capped = plan_label_budget(["a", "b"], [0.5, 0.01], [10, 1000], 100, severity=[1.0, 1.0])
    assert [a.reviews for a in capped] == [10, 90]
    assert sum(a.reviews for a in plan_label_budget(["a"], [0.3], [7], 50)) == 7
    severe = plan_label_budget(["a", "b"], [0.1, 0.1], [100, 100], 30, severity=[2.0, 1.0])
    assert [a.reviews for a in severe] == [20, 10]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 300), st.floats(0, 3)), min_size=1, max_size=25
    ),
    st.integers(0, 2000),
)
def test_the_plan_spends_the_budget_exactly_within_volumes(
    rows: list[tuple[float, int, float]], budget: int
) -> None:
    names = [f"c{i}" for i in range(len(rows))]
    plan = plan_label_budget(
        names, [r[0] for r in rows], [r[1] for r in rows], budget, severity=[r[2] for r in rows]
    )
    assert sum(a.reviews for a in plan) == min(budget, sum(r[1] for r in rows))
    assert all(0 <= a.reviews <= a.volume for a in plan)
