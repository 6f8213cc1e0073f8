"""Long-tail estimates (pure): empirical-Bayes beta-binomial shrinkage and a label-budget planner.

Most of 100,000 communities have a handful of labelled items, so their raw precision, recall
or action rate is noise. Each community's rate gets a Beta prior fitted to all communities of
its group by maximum marginal likelihood of the beta-binomial model; its posterior
Beta(α + k, β + n − k) gives the shrunk estimate (posterior mean) and an equal-tailed credible
interval. Communities with little data move toward the group's rate, large ones keep their
own. Two levels: a community is shrunk toward its rule family's prior when the family has at
least `min_groups` communities with data, else toward the site prior fitted over every
community (the family priors themselves are not shrunk: an empirical-Bayes approximation of
the full hierarchy, stated as such in docs/community.md).

The planner spreads a review budget across communities in proportion to
uncertainty × volume × severity (uncertainty = posterior standard deviation), never more
than a community's volume, in whole reviews (largest remainder).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import UndefinedMetricWarning

_MAX_STRENGTH = 1e6
"""Prior strength α + β used when the groups show no spread beyond binomial noise."""
_MIN_LOG = math.log(1e-3)
_MAX_LOG = math.log(_MAX_STRENGTH)

IntArray = npt.NDArray[np.int64]


class BetaPrior(BaseModel):
    """A Beta(α, β) prior over a rate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float = Field(gt=0)
    """α (prior successes)."""
    beta: float = Field(gt=0)
    """β (prior failures)."""
    groups: int = 0
    """Groups with data the prior was fitted on (0: the flat default)."""

    @property
    def mean(self) -> float:
        """Prior mean α / (α + β)."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        """α + β: how many observations the prior weighs like."""
        return self.alpha + self.beta


FLAT_PRIOR = BetaPrior(alpha=1.0, beta=1.0)
"""Beta(1, 1), used when there is nothing to fit on."""


def beta_binomial_log_likelihood(
    alpha: float, beta: float, successes: IntArray, trials: IntArray
) -> float:
    """Marginal log-likelihood of the counts under Beta(α, β) → Binomial(n, p) (scipy)."""
    from scipy import stats

    return float(np.sum(stats.betabinom.logpmf(successes, trials, alpha, beta)))


def _as_counts(
    successes: Sequence[int] | IntArray, trials: Sequence[int] | IntArray
) -> tuple[IntArray, IntArray]:
    k = np.asarray(successes, dtype=np.int64)
    n = np.asarray(trials, dtype=np.int64)
    if k.shape != n.shape or k.ndim != 1:
        raise ValueError("successes and trials must be 1-D arrays of one length")
    if np.any(n < 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("need 0 ≤ successes ≤ trials for every group")
    return k, n


def fit_beta_prior(
    successes: Sequence[int] | IntArray, trials: Sequence[int] | IntArray
) -> BetaPrior:
    """Fit a Beta prior to per-group counts by maximum marginal (beta-binomial) likelihood.

    Groups with no trials carry no information and are left out. With no group left, or all
    rates identical at 0 or 1, the figure is undefined: an `UndefinedMetricWarning` is given
    and a flat or near-boundary prior returned. When the spread between groups is no more
    than binomial noise the likelihood keeps rising with the prior's strength; the fit then
    stops at strength 10⁶ (complete pooling).

    Args:
        successes: Successes per group.
        trials: Trials per group.

    Returns:
        The fitted prior.

    Raises:
        ValueError: Arrays of different lengths, or successes outside [0, trials].
    """
    from scipy import optimize, special

    k, n = _as_counts(successes, trials)
    keep = n > 0
    k, n = k[keep], n[keep]
    if k.size == 0:
        warnings.warn(
            "no group has data: the prior is flat Beta(1, 1)", UndefinedMetricWarning, stacklevel=2
        )
        return FLAT_PRIOR
    total = float(n.sum())
    pooled = (k.sum() + 0.5) / (total + 1.0)  # Jeffreys-smoothed pooled rate
    edge = float(special.logit(0.5 / (total + 1.0)))  # the mean stays within the data's reach
    if k.sum() == 0 or k.sum() == n.sum():
        warnings.warn(
            "every group's rate is 0 (or every one is 1): the prior is fitted near the boundary",
            UndefinedMetricWarning,
            stacklevel=2,
        )

    # identical (k, n) pairs are frequent in the long tail: each distinct pair is computed once
    pairs, weight = np.unique(np.stack([k, n], axis=1), axis=0, return_counts=True)
    pk, pn = pairs[:, 0].astype(np.float64), pairs[:, 1].astype(np.float64)

    def negative(params: npt.NDArray[np.float64]) -> float:
        mean = float(special.expit(params[0]))
        strength = math.exp(params[1])
        a, b = mean * strength, (1 - mean) * strength
        # log B(k + a, n - k + b) - log B(a, b); the binomial coefficient does not depend on a, b
        terms = special.betaln(pk + a, pn - pk + b) - special.betaln(a, b)
        return -float(np.dot(weight, terms))

    start_mean = float(np.clip(special.logit(pooled), edge, -edge))
    best: optimize.OptimizeResult | None = None
    for start_strength in (math.log(2.0), math.log(20.0), math.log(200.0)):
        result = optimize.minimize(
            negative,
            np.array([start_mean, start_strength]),
            method="L-BFGS-B",
            bounds=[(edge, -edge), (_MIN_LOG, _MAX_LOG)],
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    mean = float(special.expit(best.x[0]))
    strength = float(math.exp(best.x[1]))
    return BetaPrior(alpha=mean * strength, beta=(1 - mean) * strength, groups=int(k.size))


class ShrunkRate(BaseModel):
    """One group's rate: raw, shrunk toward its prior, with a credible interval."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    successes: int
    """Successes (e.g. true positives for precision)."""
    trials: int
    """Trials (e.g. predicted positives for precision)."""
    raw: float | None
    """successes / trials (None with no trials)."""
    shrunk: float
    """Posterior mean (α + k) / (α + β + n)."""
    low: float
    """Lower end of the equal-tailed credible interval."""
    high: float
    """Upper end of the equal-tailed credible interval."""
    sd: float
    """Posterior standard deviation (the uncertainty the planner uses)."""
    prior_mean: float
    """Mean of the prior it was shrunk toward."""
    prior_strength: float
    """α + β of that prior."""
    toward: str
    """What it was shrunk toward: `site` or `family:<name>`."""


def posterior_rate(
    successes: int, trials: int, prior: BetaPrior, *, level: float = 0.9, toward: str = "site"
) -> ShrunkRate:
    """The Beta posterior of one group's rate under `prior` (closed form; scipy for quantiles)."""
    from scipy import stats

    a = prior.alpha + successes
    b = prior.beta + trials - successes
    tail = (1.0 - level) / 2.0
    low, high = stats.beta.ppf([tail, 1.0 - tail], a, b)
    sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
    return ShrunkRate(
        successes=successes,
        trials=trials,
        raw=successes / trials if trials else None,
        shrunk=a / (a + b),
        low=float(low),
        high=float(high),
        sd=sd,
        prior_mean=prior.mean,
        prior_strength=prior.strength,
        toward=toward,
    )


def shrink_rates(
    successes: Sequence[int] | IntArray,
    trials: Sequence[int] | IntArray,
    *,
    families: Sequence[str | None] | None = None,
    level: float = 0.9,
    min_groups: int = 5,
) -> list[ShrunkRate]:
    """Shrink each group's rate toward its family's prior, or the site's (see module doc).

    Args:
        successes: Successes per community.
        trials: Trials per community.
        families: Family of each community (None: no family); omit to shrink toward the site.
        level: Credible level of the intervals, e.g. 0.9.
        min_groups: Communities with data a family needs for its own prior.

    Returns:
        One `ShrunkRate` per community, in input order.

    Raises:
        ValueError: Mismatched arrays, bad counts, or `level` outside (0, 1).
    """
    from scipy import stats

    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    k, n = _as_counts(successes, trials)
    if families is not None and len(families) != k.size:
        raise ValueError("families must have one entry per community")
    if k.size == 0:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        site = fit_beta_prior(k, n) if np.any(n > 0) else FLAT_PRIOR
    priors: dict[str, BetaPrior] = {}
    if families is not None:
        labels = np.array(["" if f is None else str(f) for f in families], dtype=object)
        for family in sorted(set(labels.tolist()) - {""}):
            mask = (labels == family) & (n > 0)
            if int(mask.sum()) >= min_groups:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UndefinedMetricWarning)
                    priors[family] = fit_beta_prior(k[mask], n[mask])
    chosen: list[tuple[BetaPrior, str]] = []
    for i in range(k.size):
        family = None if families is None else families[i]
        if family is not None and str(family) in priors:
            chosen.append((priors[str(family)], f"family:{family}"))
        else:
            chosen.append((site, "site"))
    alpha = np.array([p.alpha for p, _ in chosen]) + k
    beta = np.array([p.beta for p, _ in chosen]) + n - k
    tail = (1.0 - level) / 2.0
    low = stats.beta.ppf(tail, alpha, beta)  # one vectorised call for every community
    high = stats.beta.ppf(1.0 - tail, alpha, beta)
    total = alpha + beta
    sd = np.sqrt(alpha * beta / (total**2 * (total + 1.0)))
    return [
        ShrunkRate(
            successes=int(k[i]),
            trials=int(n[i]),
            raw=float(k[i] / n[i]) if n[i] else None,
            shrunk=float(alpha[i] / total[i]),
            low=float(low[i]),
            high=float(high[i]),
            sd=float(sd[i]),
            prior_mean=prior.mean,
            prior_strength=prior.strength,
            toward=toward,
        )
        for i, (prior, toward) in enumerate(chosen)
    ]


class CommunityEstimate(BaseModel):
    """Precision, recall and action rate of one community, raw and shrunk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    """The community."""
    items: int
    """Labelled items of the community in the run."""
    family: str | None
    """Its rule family, when given."""
    precision: ShrunkRate
    """True positives / predicted positives."""
    recall: ShrunkRate
    """True positives / gold positives."""
    action_rate: ShrunkRate
    """Items actioned (any action but allow) / items."""


def estimate_communities(
    communities: Sequence[str],
    gold: Sequence[bool] | npt.NDArray[np.bool_],
    predicted: Sequence[bool] | npt.NDArray[np.bool_],
    actioned: Sequence[bool] | npt.NDArray[np.bool_],
    *,
    families: dict[str, str] | None = None,
    level: float = 0.9,
    min_groups: int = 5,
) -> list[CommunityEstimate]:
    """Per-community precision, recall and action rate with empirical-Bayes shrinkage.

    Args:
        communities: Community of each item.
        gold: Gold label of each item (True: violating).
        predicted: Predicted label of each item.
        actioned: Whether the enforcer took an action on the item (not allow).
        families: Community → rule family (shrink toward the family when it is big enough).
        level: Credible level of the intervals.
        min_groups: Communities with data a family needs for its own prior.

    Returns:
        One estimate per community, sorted by name.

    Raises:
        ValueError: Arrays of different lengths.
    """
    names = np.asarray(list(communities), dtype=object)
    y = np.asarray(gold, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    act = np.asarray(actioned, dtype=bool)
    if not (names.size == y.size == p.size == act.size):
        raise ValueError("communities, gold, predicted and actioned must have one length")
    order = sorted(set(names.tolist()))
    index = {c: i for i, c in enumerate(order)}
    codes = np.fromiter((index[c] for c in names.tolist()), dtype=np.int64, count=names.size)
    size = len(order)
    tp = np.bincount(codes, weights=(y & p), minlength=size).astype(np.int64)
    pred_pos = np.bincount(codes, weights=p, minlength=size).astype(np.int64)
    gold_pos = np.bincount(codes, weights=y, minlength=size).astype(np.int64)
    acted = np.bincount(codes, weights=act, minlength=size).astype(np.int64)
    items = np.bincount(codes, minlength=size).astype(np.int64)
    fam = [families.get(c) for c in order] if families is not None else None
    options = {"families": fam, "level": level, "min_groups": min_groups}
    precision = shrink_rates(tp, pred_pos, **options)  # type: ignore[arg-type]
    recall = shrink_rates(tp, gold_pos, **options)  # type: ignore[arg-type]
    action = shrink_rates(acted, items, **options)  # type: ignore[arg-type]
    return [
        CommunityEstimate(
            community=c,
            items=int(items[i]),
            family=None if fam is None else fam[i],
            precision=precision[i],
            recall=recall[i],
            action_rate=action[i],
        )
        for i, c in enumerate(order)
    ]


class ReviewAllocation(BaseModel):
    """Reviews planned for one community."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    """The community."""
    reviews: int
    """Reviews allocated."""
    weight: float
    """uncertainty × volume × severity."""
    uncertainty: float
    """The uncertainty used (posterior sd)."""
    volume: int
    """Items the community sees (the cap on its reviews)."""
    severity: float
    """Severity weight."""


def plan_label_budget(
    communities: Sequence[str],
    uncertainty: Sequence[float],
    volume: Sequence[int],
    budget: int,
    *,
    severity: Sequence[float] | None = None,
) -> list[ReviewAllocation]:
    """Allocate `budget` reviews in proportion to uncertainty × volume × severity.

    No community gets more reviews than its volume; what a capped community cannot take goes
    to the others, again in proportion (water-filling). Whole reviews are handed out by
    largest remainder, so the allocations add up to min(budget, total volume) exactly.

    Args:
        communities: Community names.
        uncertainty: Uncertainty of each (e.g. posterior sd of its precision).
        volume: Items each community sees.
        budget: Reviews to allocate.
        severity: Severity weight of each (default 1).

    Returns:
        Allocations, in input order.

    Raises:
        ValueError: Mismatched lengths, a negative input, or a negative budget.
    """
    u = np.asarray(uncertainty, dtype=np.float64)
    v = np.asarray(volume, dtype=np.int64)
    s = np.ones_like(u) if severity is None else np.asarray(severity, dtype=np.float64)
    if not (len(communities) == u.size == v.size == s.size):
        raise ValueError("communities, uncertainty, volume and severity must have one length")
    if budget < 0 or np.any(u < 0) or np.any(v < 0) or np.any(s < 0):
        raise ValueError("budget, uncertainty, volume and severity must not be negative")
    weight = u * v * s
    total = int(min(budget, int(v.sum())))
    share = np.zeros_like(u)
    free = (v > 0) & (weight > 0)
    left = float(total)
    while left > 1e-9 and free.any():
        portion = left * weight[free] / weight[free].sum()
        room = v[free] - share[free]
        take = np.minimum(portion, room)
        share[free] += take
        left -= float(take.sum())
        free &= share < v - 1e-12
    if left > 1e-9:  # all weights zero: spread what is left by remaining room
        room = v - share
        if room.sum() > 0:
            share += left * room / room.sum()
    whole = np.floor(share + 1e-9).astype(np.int64)
    remainder = share - whole
    missing = total - int(whole.sum())
    for i in np.argsort(-remainder, kind="stable"):
        if missing <= 0:
            break
        if whole[i] < v[i]:
            whole[i] += 1
            missing -= 1
    return [
        ReviewAllocation(
            community=c,
            reviews=int(whole[i]),
            weight=float(weight[i]),
            uncertainty=float(u[i]),
            volume=int(v[i]),
            severity=float(s[i]),
        )
        for i, c in enumerate(communities)
    ]
