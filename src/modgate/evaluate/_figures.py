"""Figures of groups of items (overall, action bands, slices): point, interval, support. Pure.

Point estimates come from scikit-learn (`_metrics`); intervals from the vectorized bootstrap
and Wilson intervals (`_intervals`), computed for every group at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from modgate.errors import ValidationError
from modgate.evaluate._intervals import (
    bootstrap_count_intervals,
    bootstrap_ranking_intervals,
    score_bin_counts,
)
from modgate.evaluate._metrics import (
    BANDS,
    COUNT_METRICS,
    HIGHER_IS_BETTER,
    METRIC_NAMES,
    RANKING_METRICS,
    ConfusionCounts,
    band_predictions,
    count_metric,
    criterion_confusion,
    metric_support,
    ranking_metric,
    undefined_reason,
)
from modgate.evaluate._predictions import PredictionTable
from modgate.evaluate._records import EvalFigures, FigureConfig, GroupFigures, MetricValue
from modgate.evaluate._reliability import compute_reliability
from modgate.evaluate._slices import slice_index, worst_ranking

IntArray = npt.NDArray[np.int64]
_ORDER: dict[str, int] = {name: i for i, name in enumerate(METRIC_NAMES)}


def _nan_to_none(value: float) -> float | None:
    return None if np.isnan(value) else unit_interval(float(value))


def unit_interval(value: float | None) -> float | None:
    """A figure clipped into [0, 1]: floating-point sums may land a hair outside it."""
    if value is None:
        return None
    return min(1.0, max(0.0, float(value)))


def group_counts(
    gold: npt.NDArray[np.bool_],
    predicted: npt.NDArray[np.bool_],
    item_idx: IntArray,
    group_idx: IntArray,
    n_groups: int,
) -> IntArray:
    """Confusion counts of many (possibly overlapping) groups at once.

    Returns:
        Counts of shape (n_groups, 4) as (tp, fn, fp, tn).
    """
    code = group_idx * 4 + 2 * (~gold[item_idx]).astype(np.int64)
    code += (~predicted[item_idx]).astype(np.int64)
    counts = np.bincount(code, minlength=n_groups * 4).astype(np.int64)
    return counts.reshape(n_groups, 4)


def compute_group_figures(
    gold: npt.NDArray[np.bool_],
    predicted: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64] | None,
    members: Sequence[IntArray],
    names: Sequence[str],
    config: FigureConfig,
    *,
    keys: Sequence[tuple[str, str] | None] | None = None,
    rng: np.random.Generator | None = None,
    warn: bool = False,
    pooled_ranking_note: str | None = None,
) -> list[GroupFigures]:
    """Figures with intervals for each group of items.

    Args:
        gold: Gold labels of all items.
        predicted: Predictions of all items.
        scores: Scores of all items (NaN: none); None to skip the ranking figures.
        members: Item positions of each group (groups may overlap).
        names: Name of each group.
        config: Figure settings.
        keys: (dimension, value) of each group, or None entries for groups that are no slice.
        rng: Random generator (default: seeded from the config).
        warn: Emit `UndefinedMetricWarning` for undefined figures (off for slices, where the
            figure's `note` says why instead).
        pooled_ranking_note: When set, the scores come from several enforcers with no common
            scale: the ranking figures are n/a with this note.

    Returns:
        One `GroupFigures` per group, in the order given.
    """
    if len(members) != len(names):
        raise ValidationError("members and names must have the same length")
    generator = rng if rng is not None else np.random.default_rng(config.intervals.seed)
    n_groups = len(members)
    lengths = [len(m) for m in members]
    item_idx = np.concatenate(members) if n_groups else np.zeros(0, dtype=np.int64)
    group_idx = np.repeat(np.arange(n_groups, dtype=np.int64), lengths)
    counts = group_counts(gold, predicted, item_idx.astype(np.int64), group_idx, n_groups)
    tp, fn, fp, tn = counts.T
    count_intervals = bootstrap_count_intervals(tp, fn, fp, tn, config.intervals, generator)
    results: list[GroupFigures] = []
    for g in range(n_groups):
        index = members[g]
        truth, pred = gold[index], predicted[index]
        confusion = ConfusionCounts(tp=int(tp[g]), fp=int(fp[g]), fn=int(fn[g]), tn=int(tn[g]))
        values: list[MetricValue] = []
        with warnings.catch_warnings():
            if not warn:
                warnings.simplefilter("ignore")
            for name in COUNT_METRICS:
                point = count_metric(name, truth, pred, confusion, warn=warn, context=names[g])
                low, high = count_intervals[name]
                support = metric_support(name, confusion)
                proportion = name in ("recall", "fpr")
                values.append(
                    MetricValue(
                        name=name,
                        value=unit_interval(point),
                        lower=None if point is None else _nan_to_none(low[g]),
                        upper=None if point is None else _nan_to_none(high[g]),
                        support=support,
                        low_support=support < config.min_support,
                        method=(config.intervals.proportion_method if proportion else "bootstrap"),
                        note=undefined_reason(name, confusion),
                    )
                )
            if scores is not None and pooled_ranking_note is not None:
                values.extend(
                    MetricValue(
                        name=name, value=None, support=0, low_support=True, note=pooled_ranking_note
                    )  # fmt: skip
                    for name in RANKING_METRICS
                )
            elif scores is not None:
                group_scores = scores[index]
                has_score = ~np.isnan(group_scores)
                scored = int(has_score.sum())
                scored_pos = int(truth[has_score].sum())
                exact: dict[str, float | None] = {
                    name: ranking_metric(name, truth, group_scores, warn=warn, context=names[g])
                    for name in RANKING_METRICS
                }
                positive, negative = score_bin_counts(
                    truth, group_scores, config.intervals.score_bins
                )
                bounds = bootstrap_ranking_intervals(
                    positive, negative, config.intervals, generator, exact=exact
                )
                for name in RANKING_METRICS:
                    point = exact[name]
                    low_r, high_r = bounds[name]
                    # Own support: AUPRC averages precision over the violating items; ROC-AUC
                    # compares every violating with every non-violating item, so its smaller
                    # class bounds how much it can be trusted.
                    support = (
                        scored_pos if name == "auprc" else min(scored_pos, scored - scored_pos)
                    )
                    values.append(
                        MetricValue(
                            name=name,
                            value=unit_interval(point),
                            lower=None if point is None or np.isnan(low_r) else low_r,
                            upper=None if point is None or np.isnan(high_r) else high_r,
                            support=support,
                            low_support=support < config.min_support,
                            method="bootstrap",
                            note=None if point is not None else _ranking_note(truth, has_score),
                        )
                    )
        key = keys[g] if keys is not None else None
        results.append(
            GroupFigures(
                name=names[g],
                dimension=key[0] if key else None,
                value=key[1] if key else None,
                n=len(index),
                counts=confusion,
                metrics=tuple(sorted(values, key=lambda m: _ORDER[m.name])),
                low_support=len(index) < config.min_support,
            )
        )
    return results


def _ranking_note(truth: npt.NDArray[np.bool_], has_score: npt.NDArray[np.bool_]) -> str:
    if not has_score.any():
        return "no item with a score"
    scored_truth = truth[has_score]
    if not scored_truth.any():
        return "no violating item (one class only)"
    if scored_truth.all():
        return "no non-violating item (one class only)"
    return "one class only among scored items"


def compute_eval_figures(
    table: PredictionTable,
    config: FigureConfig | None = None,
    *,
    reported: Mapping[str, float] | None = None,
    pooled_ranking_note: str | None = None,
    emits_criteria: bool | None = None,
) -> EvalFigures:
    """Every figure of a run from its predictions.

    Args:
        table: The run's predictions.
        config: Figure settings (defaults: 95 % intervals, 1,000 resamples, seed 0).
        reported: Reliability figures the enforcer reported, kept as they are.
        pooled_ranking_note: Scores come from several enforcers: ranking figures are n/a with
            this note (see `compute_group_figures`).
        emits_criteria: Whether the enforcer names the criteria it fires; None: judged from
            the predictions (some verdict named one). Without criteria there is no
            per-criterion confusion (it would read as recall 0).

    Returns:
        The run's figures.
    """
    cfg = config or FigureConfig()
    rng = np.random.default_rng(cfg.intervals.seed)
    everything = [np.arange(len(table), dtype=np.int64)]
    overall = compute_group_figures(
        table.gold,
        table.predicted,
        table.scores,
        everything,
        ["overall"],
        cfg,
        rng=rng,
        warn=pooled_ranking_note is None,
        pooled_ranking_note=pooled_ranking_note,
    )[0]
    bands: list[GroupFigures] = []
    for band in BANDS:
        in_band = band_predictions(table.actions, band)
        bands.extend(
            compute_group_figures(
                table.gold, in_band, None, everything, [f"band={band}"], cfg, rng=rng
            )
        )
    index = slice_index(table.slices, cfg.slice_dimensions)
    slices = compute_group_figures(
        table.gold,
        table.predicted,
        table.scores,
        index.members(),
        index.names,
        cfg,
        keys=index.keys,
        rng=rng,
        pooled_ranking_note=pooled_ranking_note,
    )
    chosen = [group.metric(cfg.worst_metric) for group in slices]
    # A slice holding every item of the run is the whole set again, not a weak spot.
    whole = [group.n == len(table) for group in slices]
    worst = worst_ranking(
        [m.lower for m in chosen],
        [m.upper for m in chosen],
        [not m.low_support and not w for m, w in zip(chosen, whole, strict=True)],
        higher_is_better=HIGHER_IS_BETTER[cfg.worst_metric],
        limit=cfg.worst_limit,
    )
    emits = emits_criteria if emits_criteria is not None else any(table.criteria)
    return EvalFigures(
        config=cfg,
        n_items=len(table),
        n_scored=int((~np.isnan(table.scores)).sum()),
        overall=overall,
        bands=tuple(bands),
        slices=tuple(slices),
        criteria=criterion_confusion(table.gold_criteria, table.criteria) if emits else {},
        criteria_note=None
        if emits
        else "the enforcer names no criteria in its verdicts: per-criterion figures not measured",
        worst_slices=tuple(slices[i].name for i in worst),
        reliability=compute_reliability(
            table.errors,
            table.latency_ms,
            table.cost,
            confidence=cfg.intervals.confidence,
            reported=reported,
        ),
    )


__all__ = [
    "EvalFigures",
    "compute_eval_figures",
    "FigureConfig",
    "GroupFigures",
    "MetricValue",
    "compute_group_figures",
    "group_counts",
]
