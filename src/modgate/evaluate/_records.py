"""The records of an eval run's figures and predictions, as stored: pydantic only, no numpy.

Reading runs back (`eval list`, `eval show`, gate checks) validates these records and needs no
numbers library; the modules that compute them (`_metrics`, `_intervals`, `_reliability`,
`_figures`, `_predictions`, `_slices`) import numpy and re-export the records they produce.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Action
from modgate.errors import NotFoundError, ValidationError

MetricName = Literal["precision", "recall", "f1", "fpr", "auprc", "roc_auc"]


METRIC_NAMES: tuple[MetricName, ...] = ("precision", "recall", "f1", "fpr", "auprc", "roc_auc")
"""The headline figures, in report order."""


COUNT_METRICS: tuple[MetricName, ...] = ("precision", "recall", "f1", "fpr")
"""Figures that depend only on the confusion counts."""


RANKING_METRICS: tuple[MetricName, ...] = ("auprc", "roc_auc")
"""Figures that depend on the scores' ranking."""


HIGHER_IS_BETTER: dict[str, bool] = {
    "precision": True,
    "recall": True,
    "f1": True,
    "fpr": False,
    "auprc": True,
    "roc_auc": True,
}
"""Direction of each figure: False means lower is better (false-positive rate)."""


class ConfusionCounts(BaseModel):
    """The 2x2 confusion counts of a binary decision (positive = violating)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tp: int
    """Violating items predicted violating."""
    fp: int
    """Non-violating items predicted violating."""
    fn: int
    """Violating items predicted non-violating."""
    tn: int
    """Non-violating items predicted non-violating."""

    @property
    def n(self) -> int:
        """All items."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> int:
        """Violating items (gold)."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Non-violating items (gold)."""
        return self.fp + self.tn

    @property
    def predicted_positives(self) -> int:
        """Items predicted violating."""
        return self.tp + self.fp


IntervalMethod = Literal["bootstrap", "wilson"]


class IntervalConfig(BaseModel):
    """How intervals are computed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)
    """Two-sided confidence level."""
    resamples: int = Field(default=1000, ge=10, le=100_000)
    """Bootstrap resamples."""
    seed: int = 0
    """Seed of the bootstrap's random generator."""
    score_bins: int = Field(default=200, ge=2, le=100_000)
    """Most score-rank bins used to resample AUPRC and ROC-AUC."""
    proportion_method: IntervalMethod = "wilson"
    """Interval for recall and FPR: `wilson` (analytic, default) or `bootstrap`."""


class RateValue(BaseModel):
    """A share of items with a Wilson interval."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    """Items counted."""
    total: int
    """Items in all."""
    value: float | None
    """count / total (None when there are no items)."""
    lower: float | None
    """Lower bound of the Wilson interval."""
    upper: float | None
    """Upper bound of the Wilson interval."""


class ReliabilityFigures(BaseModel):
    """How reliably and at what price the enforcer produced its verdicts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_items: int
    """Predictions in the run."""
    error_rate: RateValue
    """Share of verdicts with an error (these went to review)."""
    parse_failure_rate: RateValue
    """Share of verdicts whose error is a reply that could not be parsed."""
    latency_basis: Literal["per_item", "batch", "not_measured"] = "per_item"
    """What the latencies are: each verdict's own time; copies of a batch's mean time (then
    only the mean is given: percentiles of copied means would be the mean again); or absent."""
    latency_ms_mean: float | None
    """Mean latency per verdict."""
    latency_ms_p50: float | None
    """Median latency."""
    latency_ms_p95: float | None
    """95th percentile latency."""
    latency_ms_p99: float | None
    """99th percentile latency."""
    cost_total: float
    """Total cost of the run's verdicts."""
    cost_per_item: float | None
    """Mean cost per verdict."""
    reported: dict[str, float] = Field(default_factory=dict)
    """Figures the enforcer itself reported for the run (e.g. the LLM judge's rerun agreement)."""

    def figure(self, name: str) -> float | None:
        """A figure by name: a field above or a reported one."""
        if name in ("error_rate", "parse_failure_rate"):
            rate: RateValue = getattr(self, name)
            return rate.value
        if name in type(self).model_fields and name != "reported":
            value = getattr(self, name)
            return None if value is None else float(value)
        return self.reported.get(name)


class FigureConfig(BaseModel):
    """What figures to compute and how."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    intervals: IntervalConfig = Field(default_factory=IntervalConfig)
    """Interval settings (confidence, resamples, seed, score bins)."""
    min_support: int = Field(default=30, ge=1)
    """Figures resting on fewer items than this are marked `low_support`."""
    slice_dimensions: tuple[str, ...] | None = None
    """Dimensions to slice by (default: every dimension the predictions carry)."""
    worst_metric: MetricName = "f1"
    """Figure the worst slices are ranked by (by their pessimistic interval bound)."""
    worst_limit: int = Field(default=5, ge=0)
    """How many worst slices to list."""


class MetricValue(BaseModel):
    """One figure with its interval and the number of items behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Figure name (`precision`, `recall`, `f1`, `fpr`, `auprc`, `roc_auc`, …)."""
    value: float | None
    """Point estimate; None when undefined on this data."""
    lower: float | None = None
    """Lower bound of the interval."""
    upper: float | None = None
    """Upper bound of the interval."""
    support: int
    """Number of items the figure rests on (its denominator)."""
    low_support: bool = False
    """True when `support` is below the configured minimum: read with care."""
    method: Literal["bootstrap", "wilson"] | None = None
    """How the interval was computed."""
    note: str | None = None
    """Why the figure is undefined, when it is."""

    @property
    def higher_is_better(self) -> bool:
        """Direction of the figure (False for error-like rates)."""
        return HIGHER_IS_BETTER.get(self.name, True)


class GroupFigures(BaseModel):
    """Every figure of one group of items (the whole run, an action band or a slice)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """`overall`, `band=remove` or `dimension=value`."""
    dimension: str | None = None
    """Slice dimension (None for overall and bands)."""
    value: str | None = None
    """Slice value."""
    n: int
    """Items in the group."""
    counts: ConfusionCounts
    """Confusion counts."""
    metrics: tuple[MetricValue, ...]
    """Figures in report order."""
    low_support: bool = False
    """True when the group has fewer items than the configured minimum."""

    def metric(self, name: str) -> MetricValue:
        """The figure called `name`.

        Raises:
            ValidationError: No such figure in this group.
        """
        for value in self.metrics:
            if value.name == name:
                return value
        known = ", ".join(m.name for m in self.metrics)
        raise ValidationError(f"{self.name} has no figure {name!r} (has: {known})")


class EvalFigures(BaseModel):
    """The figures of one eval run: overall, action bands, slices, criteria, reliability."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    config: FigureConfig
    """Settings the figures were computed with."""
    n_items: int
    """Predictions evaluated."""
    n_scored: int
    """Predictions with a score."""
    overall: GroupFigures
    """Figures of every item, the verdict label as prediction."""
    bands: tuple[GroupFigures, ...]
    """Figures per action band (`remove`; `review` = review or more severe), count figures only."""
    slices: tuple[GroupFigures, ...]
    """Figures per slice."""
    criteria: dict[str, ConfusionCounts]
    """Confusion counts per policy criterion (gold criteria vs fired criteria); empty when the
    enforcer names no criteria (see `criteria_note`)."""
    criteria_note: str | None = None
    """Why there is no per-criterion confusion, when there is none."""
    worst_slices: tuple[str, ...]
    """Names of the worst slices by `config.worst_metric`'s pessimistic bound, worst first."""
    reliability: ReliabilityFigures
    """Error and parse-failure rates, latency and cost."""
    by_policy: dict[str, EvalFigures] = Field(default_factory=dict)
    """Every figure of each policy's rows alone (multi-policy runs; empty otherwise)."""

    def slice(self, name: str) -> GroupFigures:
        """The slice called `dimension=value`.

        Raises:
            NotFoundError: No such slice.
        """
        for group in self.slices:
            if group.name == name:
                return group
        raise NotFoundError(f"no slice {name!r} in this run")


class PredictionRecord(BaseModel):
    """One golden item as an enforcer judged it: gold label next to the verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The judged item."""
    gold: bool
    """Gold label: True for violating."""
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    """Verdict score; None when the enforcer gave none."""
    predicted: bool
    """Verdict label: True for violating."""
    action: Action = Action.ALLOW
    """Action the enforcer's thresholds took."""
    criteria: tuple[str, ...] = ()
    """Criteria ids the verdict fired."""
    gold_criteria: tuple[str, ...] = ()
    """Criteria ids of the gold label."""
    error: str | None = None
    """Error of the verdict, when the enforcer failed on the item."""
    latency_ms: float = 0.0
    """Time the verdict took."""
    cost: float = 0.0
    """Cost of the verdict."""
    slices: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Slice values by dimension (`community`, `tag`, `language`, …); an item may be in
    several slices of one dimension (tags)."""


def as_tuple(value: Any) -> tuple[str, ...]:
    """Normalize a stored slice value (None, a string or a list) to a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


__all__ = [
    "COUNT_METRICS",
    "HIGHER_IS_BETTER",
    "METRIC_NAMES",
    "RANKING_METRICS",
    "ConfusionCounts",
    "EvalFigures",
    "FigureConfig",
    "GroupFigures",
    "IntervalConfig",
    "IntervalMethod",
    "MetricName",
    "MetricValue",
    "PredictionRecord",
    "RateValue",
    "ReliabilityFigures",
    "as_tuple",
]
