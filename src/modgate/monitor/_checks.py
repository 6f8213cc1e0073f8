"""Monitor checks: the `MonitorCheck` and `DriftTest` protocols and the built-in checks (pure).

A check receives two **aggregates** — the reference window's and the current window's, as the
monitor's SQL returns them — and returns one `CheckResult` per segment it looked at. It never
reads the database or the clock; `modgate.monitor.run_monitor` fetches the aggregates a check's
`input_kind` names. Checks are registered by name through the `register_monitor_checks` hook and
drift statistics through `register_drift_tests`; the built-ins use the same hooks.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, cast, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from modgate.monitor._disagreement import disagreement_from_counts
from modgate.monitor._drift import DRIFT_STATISTICS, DriftResult
from modgate.monitor._impact import policy_change_impact
from modgate.monitor._label_free import LabelFreeEstimate
from modgate.monitor._rates import (
    benjamini_hochberg,
    detect_rate_changes,
    fit_site_prior,
    shrunk_rates,
    tarone_testable,
)
from modgate.monitor._terms import emerging_terms
from modgate.monitor._volume import volume_minimum_p_values, volume_surge_p_values

InputKind = Literal["rates", "histograms", "disagreement", "terms", "scores"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SegmentCounts(_Frozen):
    """Events out of observations per segment in one window (`input_kind="rates"`)."""

    segments: list[str]
    """Segment keys (e.g. community names), one per entry."""
    k: list[int]
    """Events per segment."""
    n: list[int]
    """Observations per segment."""


class SegmentHistograms(_Frozen):
    """Score histograms per segment in one window (`input_kind="histograms"`)."""

    segments: list[str]
    """Segment keys."""
    counts: list[list[int]]
    """Counts per score bin, one row per segment (equal-width bins over [0, 1])."""


class SegmentDisagreement(_Frozen):
    """Paired active-versus-challenger counts per segment (`input_kind="disagreement"`)."""

    segments: list[str]
    """Segment keys."""
    n: list[int]
    """Items both decided."""
    only_active: list[int]
    """Items only the active enforcer flagged."""
    only_challenger: list[int]
    """Items only the challenger flagged."""


class TermWindow(_Frozen):
    """Texts of a window for term statistics (`input_kind="terms"`)."""

    texts: list[str]
    """Texts (a sample of at most the monitor's `max_texts`)."""
    ids: list[str]
    """Item id of each text."""


class ScoreSums(_Frozen):
    """Sums of calibrated scores for the label-free estimate (`input_kind="scores"`)."""

    threshold: float
    """Action threshold of the enforcer."""
    n: int
    """Items in the window."""
    n_flagged: int
    """Items at or above the threshold."""
    sum_flagged: float
    """Σ s over flagged items."""
    sum_sq_flagged: float
    """Σ s² over flagged items."""
    sum_unflagged: float
    """Σ s over the others."""
    sum_sq_unflagged: float
    """Σ s² over the others."""


class CheckResult(_Frozen):
    """One check's outcome for one segment: the figures, whether it fired, and the evidence."""

    check: str
    """Registry name of the check."""
    segment: str
    """Segment key (`*` for the whole scope)."""
    statistic: str
    """What `value` measures."""
    value: float
    """The observed statistic."""
    p_value: float | None = None
    """Raw p-value, when the statistic has one."""
    q_value: float | None = None
    """p-value adjusted across segments (Benjamini–Hochberg)."""
    fired: bool
    """Whether the check's condition holds."""
    evidence: dict[str, Any] = Field(default_factory=dict)
    """Figures behind the result (counts, rates, reference values, examples)."""


@runtime_checkable
class DriftTest(Protocol):
    """A drift statistic between two histograms of one segment."""

    def __call__(self, reference: Sequence[int], current: Sequence[int]) -> DriftResult:
        """Compare the current histogram with the reference one."""
        ...


@runtime_checkable
class MonitorCheck(Protocol):
    """A check over a reference and a current aggregate."""

    name: str
    """Registry name."""
    input_kind: InputKind
    """Which aggregate the runner must fetch."""

    def evaluate(self, reference: Any, current: Any) -> list[CheckResult]:
        """Results per segment, fired or not."""
        ...


def _align(
    reference: SegmentCounts, current: SegmentCounts
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ref = {s: (k, n) for s, k, n in zip(reference.segments, reference.k, reference.n, strict=True)}
    cur = {s: (k, n) for s, k, n in zip(current.segments, current.k, current.n, strict=True)}
    keys = sorted(set(ref) | set(cur))
    kr = np.array([ref.get(s, (0, 0))[0] for s in keys], dtype=np.int64)
    nr = np.array([ref.get(s, (0, 0))[1] for s in keys], dtype=np.int64)
    kc = np.array([cur.get(s, (0, 0))[0] for s in keys], dtype=np.int64)
    nc = np.array([cur.get(s, (0, 0))[1] for s in keys], dtype=np.int64)
    return keys, kr, nr, kc, nc


class RateChangeCheck:
    """A segment's event rate moved from its own reference rate (exact, shrunk, BH-adjusted).

    Fires when the BH q-value ≤ `level`, the current window has ≥ `min_support` observations and
    the shrunk rates differ by at least `min_relative_change` (relative). Under no change the
    probability that any segment of a window fires is at most `level` (BH under the global null;
    the exact discrete test makes it conservative — measured 0.2 % at level 1 % in
    tests/monitor).
    """

    input_kind: InputKind = "rates"

    def __init__(
        self,
        *,
        name: str = "action_rate",
        level: float = 0.01,
        min_support: int = 1,
        min_relative_change: float = 0.0,
        direction: Literal["up", "down", "both"] = "both",
    ) -> None:
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        self.name = name
        self.level = level
        self.min_support = min_support
        self.min_relative_change = min_relative_change
        self.direction = direction

    def evaluate(self, reference: SegmentCounts, current: SegmentCounts) -> list[CheckResult]:
        """Test every segment seen in either window.

        The prior is fitted on every segment; the multiple-testing family is the segments with
        at least `min_support` current observations (the others cannot fire, so they do not
        make the threshold of the rest stricter). Below-support segments are reported with
        their shrunk rates and no q-value.
        """
        keys, kr, nr, kc, nc = _align(reference, current)
        if not keys:
            return []
        prior = fit_site_prior(kr, nr)
        family = nc >= max(self.min_support, 1)
        res = detect_rate_changes(
            kr[family], nr[family], kc[family], nc[family], prior=prior, level=self.level
        )
        p = np.full(len(keys), np.nan)
        q = np.full(len(keys), np.nan)
        p[family] = res.p_values
        q[family] = res.q_values
        shrunk_ref = shrunk_rates(kr, nr, prior)
        shrunk_cur = shrunk_rates(kc, nc, prior)
        out = []
        for i, seg in enumerate(keys):
            ref_rate = float(shrunk_ref[i])
            cur_rate = float(shrunk_cur[i])
            rel = (cur_rate - ref_rate) / ref_rate if ref_rate > 0 else math.inf
            up = kc[i] * max(nr[i], 1) >= kr[i] * max(nc[i], 1)
            wanted = self.direction == "both" or (self.direction == "up") == bool(up)
            fired = bool(
                family[i] and q[i] <= self.level and abs(rel) >= self.min_relative_change and wanted
            )
            out.append(
                CheckResult(
                    check=self.name,
                    segment=seg,
                    statistic="shrunk_rate",
                    value=cur_rate,
                    p_value=None if math.isnan(p[i]) else float(p[i]),
                    q_value=None if math.isnan(q[i]) else float(q[i]),
                    fired=fired,
                    evidence={
                        "k_reference": int(kr[i]),
                        "n_reference": int(nr[i]),
                        "k_current": int(kc[i]),
                        "n_current": int(nc[i]),
                        "rate_reference": float(kr[i] / nr[i]) if nr[i] else None,
                        "rate_current": float(kc[i] / nc[i]) if nc[i] else None,
                        "shrunk_reference": ref_rate,
                        "relative_change": rel,
                        "site_rate": prior.mean,
                        "prior_alpha": prior.alpha,
                        "prior_beta": prior.beta,
                    },
                )
            )
        return out


class VolumeSurgeCheck:
    """A segment's share of the traffic grew (exact conditional Poisson test, BH-adjusted).

    Reads the decisions per segment of both windows (`input_kind="rates"`, the `n` column). Fires
    when the BH q-value ≤ `level` (Tarone's rule first drops segments that cannot reach it), the
    current window has ≥ `min_support` items and the share grew at least `min_ratio`-fold. Under
    no change the probability that a window raises any segment is at most `level` (BH under the
    global null; the exact test is conservative).
    """

    input_kind: InputKind = "rates"

    def __init__(
        self,
        *,
        name: str = "volume_surge",
        level: float = 0.01,
        min_support: int = 20,
        min_ratio: float = 1.0,
        direction: Literal["up", "down", "both"] = "up",
    ) -> None:
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        self.name = name
        self.level = level
        self.min_support = min_support
        self.min_ratio = min_ratio
        self.direction = direction

    def evaluate(self, reference: SegmentCounts, current: SegmentCounts) -> list[CheckResult]:
        """Test every segment seen in either window."""
        keys, _kr, nr, _kc, nc = _align(reference, current)
        if not keys:
            return []
        p, pi, ratio = volume_surge_p_values(nr, nc, direction=self.direction)
        family = nc >= max(self.min_support, 1)
        family &= tarone_testable(volume_minimum_p_values(nr, nc, self.direction), self.level)
        q = np.full(len(keys), np.nan)
        q[family] = benjamini_hochberg(p[family])
        out = []
        for i, seg in enumerate(keys):
            grown = ratio[i] >= self.min_ratio if self.direction != "down" else True
            fired = bool(family[i] and q[i] <= self.level and grown)
            out.append(
                CheckResult(
                    check=self.name,
                    segment=seg,
                    statistic="share_ratio",
                    value=float(ratio[i]),
                    p_value=float(p[i]),
                    q_value=None if math.isnan(q[i]) else float(q[i]),
                    fired=fired,
                    evidence={
                        "n_reference": int(nr[i]),
                        "n_current": int(nc[i]),
                        "others_reference": int(nr.sum() - nr[i]),
                        "others_current": int(nc.sum() - nc[i]),
                        "expected_current_share": float(pi[i]),
                    },
                )
            )
        return out


class ScoreDriftCheck:
    """A segment's score distribution moved: p-value (BH across segments) and effect size.

    Fires when the statistic is ≥ `min_value` and, if it has a p-value, its BH q-value ≤
    `level`; segments with fewer than `min_support` items in either window are skipped. With
    `min_value = 0` the false-alarm rate per window is at most `level` (BH under the global
    null, asymptotically).
    """

    input_kind: InputKind = "histograms"

    def __init__(
        self,
        *,
        name: str = "score_drift",
        statistic: str = "psi",
        level: float = 0.01,
        min_value: float = 0.0,
        min_support: int = 50,
        test: DriftTest | None = None,
    ) -> None:
        if test is None and statistic not in DRIFT_STATISTICS:
            raise ValueError(
                f"unknown drift statistic {statistic!r} (known: {', '.join(DRIFT_STATISTICS)})"
            )
        self.name = name
        self.statistic = statistic
        self.level = level
        self.min_value = min_value
        self.min_support = min_support
        self.test: DriftTest = test or DRIFT_STATISTICS[statistic]

    def evaluate(
        self, reference: SegmentHistograms, current: SegmentHistograms
    ) -> list[CheckResult]:
        """Compare each segment's current histogram with its reference one."""
        ref = dict(zip(reference.segments, reference.counts, strict=True))
        cur = dict(zip(current.segments, current.counts, strict=True))
        keys = [
            s
            for s in sorted(set(ref) & set(cur))
            if sum(ref[s]) >= self.min_support and sum(cur[s]) >= self.min_support
        ]
        results = [self.test(ref[s], cur[s]) for s in keys]
        have = [i for i, r in enumerate(results) if r.p_value is not None]
        qs: list[float | None] = [None] * len(results)
        adjusted = benjamini_hochberg([float(results[i].p_value or 0.0) for i in have])
        for j, i in enumerate(have):
            qs[i] = float(adjusted[j])
        out = []
        for seg, r, q in zip(keys, results, qs, strict=True):
            fired = bool(r.value >= self.min_value and (q is None or q <= self.level))
            out.append(
                CheckResult(
                    check=self.name,
                    segment=seg,
                    statistic=r.statistic,
                    value=r.value,
                    p_value=r.p_value,
                    q_value=q,
                    fired=fired,
                    evidence={
                        "n_reference": r.n_reference,
                        "n_current": r.n_current,
                        "reference_histogram": list(ref[seg]),
                        "current_histogram": list(cur[seg]),
                    },
                )
            )
        return out


class DisagreementCheck:
    """Active and challenger disagree on more than `max_rate` of a segment's items.

    Fires when the disagreement rate exceeds `max_rate` with ≥ `min_support` items, or the exact
    McNemar test (BH across segments) says the challenger flags systematically more or less.
    """

    input_kind: InputKind = "disagreement"

    def __init__(
        self,
        *,
        name: str = "disagreement",
        max_rate: float = 0.05,
        level: float = 0.01,
        min_support: int = 50,
    ) -> None:
        self.name = name
        self.max_rate = max_rate
        self.level = level
        self.min_support = min_support

    def evaluate(
        self, reference: SegmentDisagreement | None, current: SegmentDisagreement
    ) -> list[CheckResult]:
        """The reference window is not needed (the comparison is paired within the window)."""
        del reference
        results = [
            disagreement_from_counts(n, a, c)
            for n, a, c in zip(current.n, current.only_active, current.only_challenger, strict=True)
        ]
        q = benjamini_hochberg([r.mcnemar_p_value for r in results])
        out = []
        for i, (seg, r) in enumerate(zip(current.segments, results, strict=True)):
            enough = r.n >= self.min_support
            fired = bool(enough and (r.rate > self.max_rate or q[i] <= self.level))
            out.append(
                CheckResult(
                    check=self.name,
                    segment=seg,
                    statistic="disagreement_rate",
                    value=r.rate,
                    p_value=r.mcnemar_p_value,
                    q_value=float(q[i]),
                    fired=fired,
                    evidence=r.model_dump(),
                )
            )
        return out


class EmergingTermsCheck:
    """Terms markedly more frequent now (Monroe et al.'s z), with example items."""

    input_kind: InputKind = "terms"

    def __init__(
        self,
        *,
        name: str = "emerging_terms",
        z_threshold: float = 3.29,
        min_count: int = 5,
        top: int = 20,
        level: float = 0.01,
    ) -> None:
        self.name = name
        self.z_threshold = z_threshold
        self.min_count = min_count
        self.top = top
        self.level = level

    def evaluate(self, reference: TermWindow, current: TermWindow) -> list[CheckResult]:
        """One result per emerging term (segment = the term)."""
        from modgate.monitor._terms import count_terms

        ref_counts = count_terms(reference.texts)
        terms = emerging_terms(
            current.texts,
            ref_counts,
            min_count=self.min_count,
            z_threshold=self.z_threshold,
            top=self.top,
        )
        return [
            CheckResult(
                check=self.name,
                segment=t.term,
                statistic="log_odds_z",
                value=t.z,
                q_value=t.q_value,
                fired=t.q_value <= self.level,
                evidence={
                    "delta": t.delta,
                    "variance": t.variance,
                    "count_current": t.count_current,
                    "count_reference": t.count_reference,
                    "examples": [current.ids[i] for i in t.examples],
                    "example_texts": [current.texts[i][:200] for i in t.examples],
                },
            )
            for t in terms
        ]


class PolicyImpactCheck:
    """The observed action rate after a policy change differs from the expected one."""

    input_kind: InputKind = "rates"

    def __init__(
        self,
        *,
        name: str = "policy_impact",
        expected_rate: float | None = None,
        expected_k: int | None = None,
        expected_n: int | None = None,
        level: float = 0.01,
    ) -> None:
        self.name = name
        self.expected: Mapping[str, Any] = {
            "expected_rate": expected_rate,
            "expected_k": expected_k,
            "expected_n": expected_n,
        }
        self.level = level

    def evaluate(
        self, reference: SegmentCounts | None, current: SegmentCounts
    ) -> list[CheckResult]:
        """Pool the current window over its segments and compare with the expectation."""
        del reference
        k, n = int(sum(current.k)), int(sum(current.n))
        r = policy_change_impact(k, n, **self.expected)
        return [
            CheckResult(
                check=self.name,
                segment="*",
                statistic="observed_rate",
                value=r.observed_rate,
                p_value=r.p_value,
                fired=r.p_value <= self.level,
                evidence=r.model_dump(),
            )
        ]


class LabelFreeCheck:
    """Expected precision or recall (from calibrated scores) below a floor."""

    input_kind: InputKind = "scores"

    def __init__(
        self,
        *,
        name: str = "label_free",
        min_precision: float = 0.0,
        min_recall: float = 0.0,
    ) -> None:
        self.name = name
        self.min_precision = min_precision
        self.min_recall = min_recall

    def evaluate(self, reference: ScoreSums | None, current: ScoreSums) -> list[CheckResult]:
        """One result for the scope."""
        del reference
        est = label_free_from_sums(current)
        fired = bool(
            (est.expected_precision < self.min_precision) or (est.expected_recall < self.min_recall)
        )
        return [
            CheckResult(
                check=self.name,
                segment="*",
                statistic="expected_precision",
                value=est.expected_precision,
                fired=fired,
                evidence=est.model_dump(),
            )
        ]


def label_free_from_sums(sums: ScoreSums) -> LabelFreeEstimate:
    """`estimate_performance_label_free` from SQL sums (Σ s, Σ s² above and below threshold)."""
    tp, fn = sums.sum_flagged, sums.sum_unflagged
    tp_var = sums.sum_flagged - sums.sum_sq_flagged
    fn_var = sums.sum_unflagged - sums.sum_sq_unflagged
    pos = tp + fn
    precision = tp / sums.n_flagged if sums.n_flagged else math.nan
    precision_se = math.sqrt(max(tp_var, 0.0)) / sums.n_flagged if sums.n_flagged else math.nan
    recall = tp / pos if pos > 0 else math.nan
    recall_se = (
        math.sqrt(max(fn**2 * tp_var + tp**2 * fn_var, 0.0)) / pos**2 if pos > 0 else math.nan
    )
    return LabelFreeEstimate(
        threshold=sums.threshold,
        n=sums.n,
        n_flagged=sums.n_flagged,
        expected_positives=pos,
        expected_precision=precision,
        precision_se=precision_se,
        expected_recall=recall,
        recall_se=recall_se,
    )


def builtin_monitor_checks() -> dict[str, Any]:
    """Factories of the built-in checks by registry name."""

    def rate(name: str) -> Any:
        def make(**params: Any) -> RateChangeCheck:
            return RateChangeCheck(name=name, **params)

        return make

    return {
        "action_rate": rate("action_rate"),
        "evasion_share": rate("evasion_share"),
        "caught_after_normalization": rate("caught_after_normalization"),
        "overturn_rate": rate("overturn_rate"),
        "volume_surge": VolumeSurgeCheck,
        "score_drift": ScoreDriftCheck,
        "disagreement": DisagreementCheck,
        "emerging_terms": EmergingTermsCheck,
        "policy_impact": PolicyImpactCheck,
        "label_free": LabelFreeCheck,
    }


def builtin_drift_tests() -> dict[str, Any]:
    """Factories of the built-in drift statistics by registry name (params bind options)."""

    def bind(fn: Any) -> Any:
        def make(**params: Any) -> DriftTest:
            return cast(DriftTest, functools.partial(fn, **params))

        return make

    return {name: bind(fn) for name, fn in DRIFT_STATISTICS.items()}
