"""Policy-change impact: the action-rate shift a new version was expected to cause vs observed.

The expectation comes from the new version's evaluation or a backfill: `k_expected` of
`n_expected` items actioned. The observed window has `k_observed` of `n_observed`. With a
sample behind the expectation the test is the exact beta-binomial predictive test (the
expectation's own uncertainty included, Jeffreys prior); with a bare expected rate it is the exact
binomial test (`scipy.stats.binomtest`). A small p-value means production moved differently from
what the evaluation promised.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict


class ImpactResult(BaseModel):
    """Expected versus observed action rate after a policy change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    expected_rate: float
    """Rate the evaluation or backfill predicted."""
    observed_rate: float
    """Rate observed in the window (NaN when empty)."""
    difference: float
    """observed − expected."""
    n_observed: int
    """Items in the observed window."""
    p_value: float
    """Two-sided exact p-value of the observed count under the expectation."""


def policy_change_impact(
    observed_k: int,
    observed_n: int,
    *,
    expected_rate: float | None = None,
    expected_k: int | None = None,
    expected_n: int | None = None,
) -> ImpactResult:
    """Compare an observed action count with the expected one.

    Give either `expected_rate` or (`expected_k`, `expected_n`).

    Raises:
        ValueError: Neither or both expectations, or counts out of range.
    """
    from scipy import stats

    if not 0 <= observed_k <= observed_n:
        raise ValueError("observed counts must satisfy 0 <= k <= n")
    if (expected_rate is None) == (expected_k is None or expected_n is None):
        raise ValueError("give expected_rate, or expected_k and expected_n")
    if expected_rate is not None:
        if not 0.0 <= expected_rate <= 1.0:
            raise ValueError("expected_rate must be in [0, 1]")
        rate = expected_rate
        p = 1.0 if observed_n == 0 else float(stats.binomtest(observed_k, observed_n, rate).pvalue)
    else:
        assert expected_k is not None and expected_n is not None
        if not 0 <= expected_k <= expected_n or expected_n == 0:
            raise ValueError("expected counts must satisfy 0 <= k <= n, n > 0")
        rate = expected_k / expected_n
        a, b = 0.5 + expected_k, 0.5 + expected_n - expected_k
        lower = stats.betabinom.cdf(observed_k, observed_n, a, b)
        upper = stats.betabinom.sf(observed_k - 1, observed_n, a, b)
        p = 1.0 if observed_n == 0 else float(min(1.0, 2 * min(lower, upper)))
    observed = observed_k / observed_n if observed_n else math.nan
    return ImpactResult(
        expected_rate=rate,
        observed_rate=observed,
        difference=observed - rate,
        n_observed=observed_n,
        p_value=p,
    )
