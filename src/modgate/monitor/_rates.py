"""Rate changes per segment (community, policy × community) honest on small counts (pure; scipy).

A segment has `k` events (items actioned, overturned, …) out of `n` in a reference window and in
a current window. The question is whether its current rate differs from its own reference rate;
thousands of segments are tested at once, most of them tiny.

- **Empirical-Bayes prior.** A beta prior Beta(α, β) is fitted to the reference rates of all
  segments (beta-binomial maximum likelihood: `modgate.evaluate.fit_beta_prior`, the one the
  community estimates use): its mean is the site rate
  and its concentration α + β says how much communities really differ. A niche community's rate
  is then shrunk toward the site rate: (α + k)/(α + β + n).
- **Exact predictive test.** Given the reference counts, the current count of a segment is
  beta-binomial: K_c ~ BetaBinomial(n_c, α + k_r, β + n_r − k_r). The two-sided p-value is
  min(1, 2·min(P(K ≤ k_c), P(K ≥ k_c))), computed exactly — no normal approximation, so a
  community with 3 items is neither flagged by noise nor dropped. The reference rate's own
  uncertainty is in the predictive distribution (a 2-item reference cannot make a 1-item
  current window significant).
- **Fisher's exact test** (`scipy.stats.fisher_exact`) is offered per segment for comparison.
- **Benjamini–Hochberg** (`statsmodels.stats.multitest.multipletests`, `fdr_bh`) turns the
  p-values of the segments into q-values; a segment alerts when q ≤ the configured level, so the
  expected share of false alerts among alerts is at most that level (and, when nothing changed,
  the probability of any alert in a window is at most that level).
- **Tarone's rule** first drops the segments whose exact test cannot reach the level whatever
  their count (a community with three items): they could never alert, and counting them would
  make the threshold of every other community stricter. Their shrunk rates are still reported.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict

from modgate.errors import UndefinedMetricWarning

# One empirical-Bayes beta prior for the project: evaluate's (monitor is above evaluate).
from modgate.evaluate import BetaPrior, fit_beta_prior


class RateChangeResult(BaseModel):
    """Rate-change test of every segment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prior: BetaPrior
    """The empirical-Bayes prior fitted on the reference window."""
    k_reference: list[int]
    """Events per segment in the reference window."""
    n_reference: list[int]
    """Observations per segment in the reference window."""
    k_current: list[int]
    """Events per segment in the current window."""
    n_current: list[int]
    """Observations per segment in the current window."""
    shrunk_reference: list[float]
    """Reference rate shrunk toward the site rate."""
    shrunk_current: list[float]
    """Current rate shrunk toward the site rate."""
    p_values: list[float]
    """Two-sided exact beta-binomial predictive p-values."""
    testable: list[bool]
    """Whether the segment is in the multiple-testing family (Tarone's rule)."""
    q_values: list[float]
    """Benjamini–Hochberg adjusted p-values across the testable segments (1.0 for the rest)."""


def _counts(k: ArrayLike, n: ArrayLike, what: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    kk = np.asarray(k, dtype=np.int64)
    nn = np.asarray(n, dtype=np.int64)
    if kk.shape != nn.shape or kk.ndim != 1:
        raise ValueError(f"{what}: k and n must be 1-d arrays of one length")
    if (kk < 0).any() or (kk > nn).any():
        raise ValueError(f"{what}: counts must satisfy 0 <= k <= n")
    return kk, nn


def beta_binomial_predictive_p_values(
    k_reference: ArrayLike,
    n_reference: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    prior: BetaPrior,
) -> NDArray[np.float64]:
    """Two-sided exact p-values of current counts under each segment's reference posterior.

    K_c ~ BetaBinomial(n_c, α + k_r, β + n_r − k_r); p = min(1, 2·min(P(K ≤ k_c), P(K ≥ k_c))).
    A segment with n_c = 0 gets p = 1.
    """
    from scipy import stats

    kr, nr = _counts(k_reference, n_reference, "reference")
    kc, nc = _counts(k_current, n_current, "current")
    if kr.shape != kc.shape:
        raise ValueError("reference and current must have one entry per segment")
    a = prior.alpha + kr
    b = prior.beta + (nr - kr)
    lower = stats.betabinom.cdf(kc, nc, a, b)
    upper = stats.betabinom.sf(kc - 1, nc, a, b)
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(nc == 0, 1.0, p).astype(float)


def minimum_attainable_p_values(
    k_reference: ArrayLike, n_reference: ArrayLike, n_current: ArrayLike, prior: BetaPrior
) -> NDArray[np.float64]:
    """Smallest p-value each segment's predictive test could give, whatever its current count.

    The two-sided p-value is smallest at k_c = 0 or k_c = n_c; a segment with 4 items and a
    typical rate cannot reach p = 10⁻⁴ however extreme its count.
    """
    from scipy import stats

    kr, nr = _counts(k_reference, n_reference, "reference")
    nc = np.asarray(n_current, dtype=np.int64)
    a = prior.alpha + kr
    b = prior.beta + (nr - kr)
    at_zero = stats.betabinom.pmf(0, nc, a, b)
    at_all = stats.betabinom.pmf(nc, nc, a, b)
    p = np.minimum(1.0, 2.0 * np.minimum(at_zero, at_all))
    return np.where(nc == 0, 1.0, p).astype(float)


def tarone_testable(minimum_p: ArrayLike, level: float) -> NDArray[np.bool_]:
    """Segments kept in the multiple-testing family by Tarone's rule (Gilbert 2005).

    With discrete tests many segments (tiny communities) cannot reach significance at all;
    counting them in the family only makes the others' threshold stricter. Tarone's rule takes
    the smallest K with #{i : p_min,i ≤ level/K} ≤ K and keeps those segments; running
    Benjamini–Hochberg on them controls the false discovery rate (Gilbert 2005, "A modified false
    discovery rate multiple-comparisons procedure for discrete data", *Appl. Statist.* 54).
    """
    pm = np.asarray(minimum_p, dtype=float)
    m = pm.size
    for k in range(1, m + 1):
        keep = pm <= level / k
        if int(keep.sum()) <= k:
            return keep
    return np.ones(m, dtype=bool)


def fisher_exact_p_values(
    k_reference: ArrayLike, n_reference: ArrayLike, k_current: ArrayLike, n_current: ArrayLike
) -> NDArray[np.float64]:
    """Two-sided Fisher exact p-value per segment (`scipy.stats.fisher_exact`)."""
    from scipy import stats

    kr, nr = _counts(k_reference, n_reference, "reference")
    kc, nc = _counts(k_current, n_current, "current")
    out = np.ones(len(kr))
    for i in range(len(kr)):
        if nr[i] == 0 or nc[i] == 0:
            continue
        table = [[int(kc[i]), int(nc[i] - kc[i])], [int(kr[i]), int(nr[i] - kr[i])]]
        out[i] = stats.fisher_exact(table).pvalue
    return out


def benjamini_hochberg(p_values: ArrayLike) -> NDArray[np.float64]:
    """Benjamini–Hochberg q-values (`statsmodels` `multipletests(method="fdr_bh")`)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return np.asarray(multipletests(p, method="fdr_bh")[1], dtype=float)


def fit_site_prior(k: ArrayLike, n: ArrayLike) -> BetaPrior:
    """`fit_beta_prior` on a monitor's reference counts, quiet when every rate is 0 (or 1).

    A window without a single evasion or overturn is ordinary for a monitor, not a warning: the
    fit still returns its near-boundary prior, and the exact tests read it.
    """
    kk, nn = _counts(k, n, "fit_site_prior")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return fit_beta_prior(kk, nn)


def shrunk_rates(k: ArrayLike, n: ArrayLike, prior: BetaPrior) -> NDArray[np.float64]:
    """Posterior-mean rates (α + k)/(α + β + n): niche segments pulled toward the site rate."""
    kk, nn = _counts(k, n, "shrunk_rates")
    return (prior.alpha + kk) / (prior.alpha + prior.beta + nn)


def detect_rate_changes(
    k_reference: ArrayLike,
    n_reference: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    *,
    prior: BetaPrior | None = None,
    level: float = 0.01,
    tarone: bool = True,
) -> RateChangeResult:
    """Test every segment's current rate against its own reference rate.

    Args:
        k_reference: Events per segment, reference window.
        n_reference: Observations per segment, reference window.
        k_current: Events per segment, current window.
        n_current: Observations per segment, current window.
        prior: The prior to use (default: fitted on the reference window by `fit_beta_prior`).
        level: The false discovery rate the caller will threshold q-values at (used by
            Tarone's rule).
        tarone: Drop segments that cannot reach `level` from the family (`tarone_testable`).

    Returns:
        Shrunk rates, exact p-values and BH q-values per segment.
    """
    kr, nr = _counts(k_reference, n_reference, "reference")
    kc, nc = _counts(k_current, n_current, "current")
    fitted = prior if prior is not None else fit_site_prior(kr, nr)
    p = beta_binomial_predictive_p_values(kr, nr, kc, nc, fitted)
    if tarone:
        testable = tarone_testable(minimum_attainable_p_values(kr, nr, nc, fitted), level)
    else:
        testable = np.ones(len(p), dtype=bool)
    q = np.ones(len(p))
    q[testable] = benjamini_hochberg(p[testable])
    return RateChangeResult(
        prior=fitted,
        k_reference=kr.tolist(),
        n_reference=nr.tolist(),
        k_current=kc.tolist(),
        n_current=nc.tolist(),
        shrunk_reference=shrunk_rates(kr, nr, fitted).tolist(),
        shrunk_current=shrunk_rates(kc, nc, fitted).tolist(),
        p_values=p.tolist(),
        testable=testable.tolist(),
        q_values=q.tolist(),
    )
