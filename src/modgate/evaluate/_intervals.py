"""Confidence intervals: a vectorized, stratified, seeded bootstrap and Wilson intervals. Pure.

Why the bootstrap resamples counts rather than items
----------------------------------------------------
Precision, recall, F1 and the false-positive rate depend on an item sample only through its
2x2 confusion counts. Resampling the n items of a group with replacement gives confusion counts
that are exactly `Multinomial(n, (tp, fn, fp, tn) / n)`; drawing those counts directly is the
*same distribution* as the item-level bootstrap, at a cost that does not grow with the number of
items: 1,000 resamples of 30 slices are one `(1000, 30, 4)` array.

AUPRC and ROC-AUC depend on the ranking of scores. The scored items of a group are put into at
most `score_bins` bins by score rank (one bin per distinct score when there are few enough, so
ties stay tied); resampling items is then one multinomial draw over the (bin, class) cells. Both
figures are computed exactly from the resampled bin counts (ROC-AUC as the Mann-Whitney
statistic, ties counting one half; average precision with one threshold per bin, as
scikit-learn does for tied scores). When bins merge distinct scores, the binned figure differs
slightly from the exact one; the interval is shifted by that difference so it is centred on
scikit-learn's point estimate.

Stratification. Recall and the false-positive rate are conditional on the gold class, so their
bootstrap (when asked for) is stratified by class: `tp ~ Binomial(n_pos, tp / n_pos)` and
`fp ~ Binomial(n_neg, fp / n_neg)`, class counts held fixed. Precision, F1 and AUPRC also
depend on the prevalence of violations in the sample, and a class-stratified bootstrap hides
that variation: in our coverage simulation (tests/evaluate/test_intervals.py) it covered the
true precision only 87 % of the time at a nominal 95 %. Their resamples therefore draw all cells
from one multinomial over the group (the plain item bootstrap); groups (slices) are resampled
independently of each other. Intervals are percentile intervals of the resampled figures;
resamples where a figure is undefined (e.g. nothing predicted violating) are left out of its
percentiles. Everything is seeded: the same inputs and seed give the same intervals.

For recall and the false-positive rate, whose denominators are fixed by the class counts, the
figure is a plain binomial proportion and the Wilson score interval is better than the
percentile bootstrap (correct coverage near 0 and 1, and at small support), so those use Wilson
by default (`statsmodels.stats.proportion.proportion_confint`). A precision of exactly 0 or 1
would get a zero-width percentile interval (every resample repeats it); with Wilson on, such a
precision gets the Wilson interval over the predicted-violating items instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from modgate.errors import ValidationError
from modgate.evaluate._records import IntervalConfig, IntervalMethod

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _as_counts(values: npt.ArrayLike, name: str) -> IntArray:
    array = np.atleast_1d(np.asarray(values, dtype=np.int64))
    if (array < 0).any():
        raise ValidationError(f"{name} must be non-negative counts")
    return array


def wilson_interval(
    successes: npt.ArrayLike, trials: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of binomial proportions (vectorized).

    Args:
        successes: Successes per group.
        trials: Trials per group (0 gives a NaN interval).
        confidence: Two-sided confidence level.

    Returns:
        Lower and upper bounds per group.

    Raises:
        ValidationError: Negative counts, or more successes than trials.

    Example:
        >>> lower, upper = wilson_interval([8], [10])
        >>> round(float(lower[0]), 3), round(float(upper[0]), 3)
        (0.49, 0.943)
    """
    from statsmodels.stats.proportion import proportion_confint

    k = _as_counts(successes, "successes")
    n = _as_counts(trials, "trials")
    if k.shape != n.shape:
        raise ValidationError(f"successes and trials differ in shape: {k.shape} vs {n.shape}")
    if (k > n).any():
        raise ValidationError("successes must not exceed trials")
    lower = np.full(k.shape, np.nan)
    upper = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        lo, hi = proportion_confint(k[ok], n[ok], alpha=1.0 - confidence, method="wilson")
        lower[ok], upper[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return lower, upper


def percentile_interval(samples: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Percentile interval along axis 0, ignoring NaN resamples (all-NaN columns give NaN)."""
    alpha = (1.0 - confidence) / 2.0
    if samples.ndim == 1:
        samples = samples[:, None]
    lower = np.full(samples.shape[1], np.nan)
    upper = np.full(samples.shape[1], np.nan)
    finite = ~np.isnan(samples)
    full = finite.all(axis=0)
    if full.any():
        q = np.quantile(samples[:, full], [alpha, 1.0 - alpha], axis=0)
        lower[full], upper[full] = q[0], q[1]
    for column in np.flatnonzero(~full & finite.any(axis=0)):
        values = samples[finite[:, column], column]
        lower[column], upper[column] = np.quantile(values, [alpha, 1.0 - alpha])
    return lower, upper


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(denominator > 0, numerator / denominator, np.nan)
    return out


def count_figures(
    tp: npt.ArrayLike, fn: npt.ArrayLike, fp: npt.ArrayLike, tn: npt.ArrayLike
) -> dict[str, FloatArray]:
    """Precision, recall, F1 and FPR from confusion counts of any shape (NaN where undefined)."""
    tp_, fn_, fp_, tn_ = (np.asarray(a, dtype=float) for a in (tp, fn, fp, tn))
    return {
        "precision": _ratio(tp_, tp_ + fp_),
        "recall": _ratio(tp_, tp_ + fn_),
        "f1": _ratio(2.0 * tp_, 2.0 * tp_ + fp_ + fn_),
        "fpr": _ratio(fp_, fp_ + tn_),
    }


def bootstrap_confusion_counts(
    tp: npt.ArrayLike,
    fn: npt.ArrayLike,
    fp: npt.ArrayLike,
    tn: npt.ArrayLike,
    *,
    resamples: int,
    rng: np.random.Generator,
    stratified: bool = False,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Bootstrap of confusion counts for S groups at once.

    Args:
        tp: True positives per group (likewise `fn`, `fp`, `tn`).
        fn: False negatives per group.
        fp: False positives per group.
        tn: True negatives per group.
        resamples: Number of resamples.
        rng: Random generator.
        stratified: Hold each group's class counts fixed (for recall and FPR); otherwise
            resample all four cells from one multinomial (the plain item bootstrap).

    Returns:
        Resampled (tp, fn, fp, tn), each of shape (resamples, S).
    """
    tp_, fn_, fp_, tn_ = (
        _as_counts(a, n) for a, n in ((tp, "tp"), (fn, "fn"), (fp, "fp"), (tn, "tn"))
    )
    if not stratified:
        cells = np.stack([tp_, fn_, fp_, tn_], axis=-1)
        totals = cells.sum(axis=-1)
        probabilities = np.divide(
            cells, totals[:, None], out=np.full(cells.shape, 0.25), where=totals[:, None] > 0
        )
        draws = rng.multinomial(totals, probabilities, size=(resamples, totals.size))
        return draws[..., 0], draws[..., 1], draws[..., 2], draws[..., 3]
    positives = tp_ + fn_
    negatives = fp_ + tn_
    p_hit = np.divide(tp_, positives, out=np.zeros(tp_.shape), where=positives > 0)
    p_false = np.divide(fp_, negatives, out=np.zeros(fp_.shape), where=negatives > 0)
    size = (resamples, tp_.size)
    tp_b = rng.binomial(positives, p_hit, size=size)
    fp_b = rng.binomial(negatives, p_false, size=size)
    return tp_b, positives - tp_b, fp_b, negatives - fp_b


def bootstrap_count_intervals(
    tp: npt.ArrayLike,
    fn: npt.ArrayLike,
    fp: npt.ArrayLike,
    tn: npt.ArrayLike,
    config: IntervalConfig,
    rng: np.random.Generator | None = None,
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Intervals of precision, recall, F1 and FPR for S groups from their confusion counts.

    Precision and F1 use the count bootstrap; recall and FPR `config.proportion_method`
    (Wilson by default, else the class-stratified count bootstrap).

    Returns:
        Figure name → (lower, upper), each of shape (S,), NaN where undefined.
    """
    generator = rng if rng is not None else np.random.default_rng(config.seed)
    plain = count_figures(
        *bootstrap_confusion_counts(tp, fn, fp, tn, resamples=config.resamples, rng=generator)
    )
    result = {
        name: percentile_interval(plain[name], config.confidence) for name in ("precision", "f1")
    }
    tp_, fn_, fp_, tn_ = (_as_counts(a, "counts") for a in (tp, fn, fp, tn))
    if config.proportion_method == "bootstrap":
        stratified = count_figures(
            *bootstrap_confusion_counts(
                tp, fn, fp, tn, resamples=config.resamples, rng=generator, stratified=True
            )
        )
        for name in ("recall", "fpr"):
            result[name] = percentile_interval(stratified[name], config.confidence)
    else:
        result["recall"] = wilson_interval(tp_, tp_ + fn_, config.confidence)
        result["fpr"] = wilson_interval(fp_, fp_ + tn_, config.confidence)
        # At a precision of exactly 0 or 1 every resample repeats it: the percentile interval
        # collapses to a point. The Wilson interval over the predicted-violating items does not.
        edge = ((fp_ == 0) | (tp_ == 0)) & (tp_ + fp_ > 0)
        if edge.any():
            low, high = wilson_interval(tp_, tp_ + fp_, config.confidence)
            result["precision"][0][edge] = low[edge]
            result["precision"][1][edge] = high[edge]
    return result


def score_bin_counts(
    y_true: npt.NDArray[np.bool_], scores: FloatArray, max_bins: int
) -> tuple[IntArray, IntArray]:
    """Violating and non-violating counts per score bin, bins in ascending score order.

    NaN scores are left out. With at most `max_bins` distinct scores each distinct score is a
    bin (exact); otherwise bins are score-rank quantiles, never splitting tied scores.
    """
    keep = ~np.isnan(scores)
    truth, values = y_true[keep], scores[keep]
    if values.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(values, return_inverse=True)
    if distinct.size > max_bins:
        edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, max_bins + 1)[1:-1]))
        inverse = np.searchsorted(edges, values, side="right")
        size = edges.size + 1
    else:
        size = distinct.size
    positive = np.bincount(inverse[truth], minlength=size).astype(np.int64)
    negative = np.bincount(inverse[~truth], minlength=size).astype(np.int64)
    occupied = (positive + negative) > 0
    return positive[occupied], negative[occupied]


def ranking_figures_from_bins(
    positive: npt.ArrayLike, negative: npt.ArrayLike
) -> dict[str, FloatArray]:
    """AUPRC (average precision) and ROC-AUC from per-bin counts.

    Bins are on the last axis in ascending score order; leading axes are resamples or groups.
    NaN where undefined.
    """
    pos = np.asarray(positive, dtype=float)
    neg = np.asarray(negative, dtype=float)
    total_pos = pos.sum(axis=-1)
    total_neg = neg.sum(axis=-1)
    # ROC-AUC: P(score of a violating item > a non-violating one), ties counting 1/2.
    neg_below = np.cumsum(neg, axis=-1) - neg
    wins = (pos * (neg_below + 0.5 * neg)).sum(axis=-1)
    roc_auc = _ratio(wins, total_pos * total_neg)
    # AUPRC: thresholds from the highest bin down; precision at each bin weighted by its recall
    # increment (scikit-learn's average_precision_score, tied scores forming one threshold).
    pos_desc = pos[..., ::-1]
    tp_cum = np.cumsum(pos_desc, axis=-1)
    fp_cum = np.cumsum(neg[..., ::-1], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision_at = np.where(tp_cum + fp_cum > 0, tp_cum / (tp_cum + fp_cum), 0.0)
    auprc = _ratio((precision_at * pos_desc).sum(axis=-1), total_pos)
    return {"auprc": auprc, "roc_auc": roc_auc}


def bootstrap_ranking_intervals(
    positive: IntArray,
    negative: IntArray,
    config: IntervalConfig,
    rng: np.random.Generator | None = None,
    *,
    exact: dict[str, float | None] | None = None,
) -> dict[str, tuple[float, float]]:
    """Intervals of AUPRC and ROC-AUC for one group from its score-bin counts.

    Args:
        positive: Violating items per bin (ascending score).
        negative: Non-violating items per bin.
        config: Interval settings.
        rng: Random generator (default: seeded from `config.seed`).
        exact: Exact point estimates; when given, each interval is shifted by the difference
            between the exact and the binned estimate (see the module docstring).

    Returns:
        Figure name → (lower, upper); NaN bounds where the figure is undefined.
    """
    generator = rng if rng is not None else np.random.default_rng(config.seed)
    n_pos, n_neg = int(positive.sum()), int(negative.sum())
    nan = (float("nan"), float("nan"))
    if n_pos == 0:
        return {"auprc": nan, "roc_auc": nan}
    # One multinomial over the (bin, class) cells: the plain item bootstrap of the group.
    cells = np.concatenate([positive, negative])
    draws = generator.multinomial(n_pos + n_neg, cells / cells.sum(), size=config.resamples)
    pos_b, neg_b = draws[:, : positive.size], draws[:, positive.size :]
    resampled = ranking_figures_from_bins(pos_b, neg_b)
    binned = ranking_figures_from_bins(positive, negative)
    result: dict[str, tuple[float, float]] = {}
    for name, values in resampled.items():
        lower, upper = percentile_interval(values, config.confidence)
        shift = 0.0
        point = (exact or {}).get(name)
        if point is not None and not np.isnan(binned[name]):
            shift = float(point) - float(binned[name])
        result[name] = (
            float(np.clip(lower[0] + shift, 0.0, 1.0)),
            float(np.clip(upper[0] + shift, 0.0, 1.0)),
        )
    return result


def score_bin_index(scores: FloatArray, max_bins: int) -> tuple[IntArray, int]:
    """Bin of each (non-NaN) score by rank, never splitting ties; and the number of bins.

    One bin per distinct score when there are at most `max_bins`, else score-rank quantiles.
    """
    distinct, inverse = np.unique(scores, return_inverse=True)
    if distinct.size <= max_bins:
        return inverse.astype(np.int64), int(distinct.size)
    edges = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, max_bins + 1)[1:-1]))
    return np.searchsorted(edges, scores, side="right").astype(np.int64), int(edges.size + 1)


def paired_ranking_deltas(
    y_true: npt.NDArray[np.bool_],
    scores_a: FloatArray,
    scores_b: FloatArray,
    config: IntervalConfig,
    rng: np.random.Generator | None = None,
    *,
    exact: Mapping[str, tuple[float | None, float | None]] | None = None,
    max_bins: int = 64,
) -> dict[str, tuple[float, float]]:
    """Paired bootstrap intervals of the AUPRC and ROC-AUC deltas (B - A) on the same items.

    Items scored by both runs are resampled as pairs: each item falls in one
    (A's score bin, B's score bin, gold class) cell, and one multinomial draw over those cells
    is one paired item bootstrap; both figures of both runs are then computed exactly from
    the resampled bin counts (as in `bootstrap_ranking_intervals`). When bins merge distinct
    scores the interval is shifted by the difference between the exact and the binned delta.

    Args:
        y_true: Gold labels.
        scores_a: Run A's scores (NaN: none).
        scores_b: Run B's scores.
        config: Interval settings.
        rng: Random generator (default: seeded from `config.seed`).
        exact: Exact (A, B) point estimates per figure, to centre the interval.
        max_bins: Most score bins per run (at most `config.score_bins`): the joint cells
            number up to 2 * max_bins², and every resample draws over all of them, so memory
            is `resamples` × cells (64 bins: ≤ 8,192 cells, 66 MB at 1,000 resamples).

    Returns:
        Figure name → (lower, upper) of the delta; NaN where undefined (one class only).
    """
    generator = rng if rng is not None else np.random.default_rng(config.seed)
    both = ~np.isnan(scores_a) & ~np.isnan(scores_b)
    truth = y_true[both]
    nan = (float("nan"), float("nan"))
    if truth.size == 0 or truth.all() or not truth.any():
        return {"auprc": nan, "roc_auc": nan}
    bins = min(config.score_bins, max_bins)
    bins_a, n_a = score_bin_index(scores_a[both], bins)
    bins_b, n_b = score_bin_index(scores_b[both], bins)
    code = (bins_a * n_b + bins_b) * 2 + truth.astype(np.int64)
    cells, counts = np.unique(code, return_counts=True)
    draws = generator.multinomial(truth.size, counts / counts.sum(), size=config.resamples)
    cell_a, cell_b, cell_pos = (cells // 2) // n_b, (cells // 2) % n_b, (cells % 2).astype(bool)
    offsets = np.arange(config.resamples, dtype=np.int64)[:, None]

    def per_bin(cell_bins: IntArray, n_bins: int, weights: IntArray) -> FloatArray:
        index = (offsets * n_bins + cell_bins[None, :]).ravel()
        summed = np.bincount(index, weights=weights.ravel(), minlength=config.resamples * n_bins)
        out: FloatArray = summed.astype(np.float64).reshape(config.resamples, n_bins)
        return out

    pos_draws = np.where(cell_pos[None, :], draws, 0)
    neg_draws = np.where(cell_pos[None, :], 0, draws)
    fig_a = ranking_figures_from_bins(
        per_bin(cell_a, n_a, pos_draws), per_bin(cell_a, n_a, neg_draws)
    )
    fig_b = ranking_figures_from_bins(
        per_bin(cell_b, n_b, pos_draws), per_bin(cell_b, n_b, neg_draws)
    )
    binned_a = ranking_figures_from_bins(
        per_bin_once(cell_a, n_a, np.where(cell_pos, counts, 0)),
        per_bin_once(cell_a, n_a, np.where(cell_pos, 0, counts)),
    )
    binned_b = ranking_figures_from_bins(
        per_bin_once(cell_b, n_b, np.where(cell_pos, counts, 0)),
        per_bin_once(cell_b, n_b, np.where(cell_pos, 0, counts)),
    )
    result: dict[str, tuple[float, float]] = {}
    for name in ("auprc", "roc_auc"):
        lower, upper = percentile_interval(fig_b[name] - fig_a[name], config.confidence)
        shift = 0.0
        pair = (exact or {}).get(name)
        if pair is not None and pair[0] is not None and pair[1] is not None:
            shift = (pair[1] - pair[0]) - (float(binned_b[name]) - float(binned_a[name]))
        result[name] = (
            float(np.clip(lower[0] + shift, -1.0, 1.0)),
            float(np.clip(upper[0] + shift, -1.0, 1.0)),
        )
    return result


def per_bin_once(cell_bins: IntArray, n_bins: int, weights: IntArray) -> FloatArray:
    """Counts per bin from per-cell counts (one sample)."""
    return np.bincount(cell_bins, weights=weights, minlength=n_bins).astype(float)


def paired_cell_counts(
    y_true: npt.NDArray[np.bool_],
    pred_a: npt.NDArray[np.bool_],
    pred_b: npt.NDArray[np.bool_],
    groups: npt.NDArray[np.int64],
    n_groups: int,
) -> IntArray:
    """Counts of (gold, prediction A, prediction B) per group: shape (n_groups, 2, 4).

    Axis 1 is the gold class (0 non-violating, 1 violating); axis 2 the cell
    `2 * pred_a + pred_b`.
    """
    cell = 2 * pred_a.astype(np.int64) + pred_b.astype(np.int64)
    code = (groups * 2 + y_true.astype(np.int64)) * 4 + cell
    counts = np.bincount(code, minlength=n_groups * 8).astype(np.int64)
    return counts.reshape(n_groups, 2, 4)


def _paired_figures(cells: FloatArray) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    # cells: (..., 2, 4); cell index = 2 * a + b.
    neg, pos = cells[..., 0, :], cells[..., 1, :]

    def figures(a_side: bool) -> dict[str, FloatArray]:
        hit = (2, 3) if a_side else (1, 3)
        miss = (0, 1) if a_side else (0, 2)
        tp = pos[..., hit[0]] + pos[..., hit[1]]
        fn = pos[..., miss[0]] + pos[..., miss[1]]
        fp = neg[..., hit[0]] + neg[..., hit[1]]
        tn = neg[..., miss[0]] + neg[..., miss[1]]
        return count_figures(tp, fn, fp, tn)

    return figures(True), figures(False)


def paired_bootstrap_deltas(
    cells: IntArray, config: IntervalConfig, rng: np.random.Generator | None = None
) -> dict[str, tuple[FloatArray, FloatArray, FloatArray]]:
    """Deltas (B - A) of precision, recall, F1, FPR with paired bootstrap intervals, per group.

    Items are resampled as pairs (both runs' predictions travel together): one multinomial
    draw over the eight (gold, A, B) cells of each group.

    Args:
        cells: Output of `paired_cell_counts`, shape (S, 2, 4).
        config: Interval settings.
        rng: Random generator (default: seeded from `config.seed`).

    Returns:
        Figure name → (delta, lower, upper), each of shape (S,), NaN where undefined.
    """
    generator = rng if rng is not None else np.random.default_rng(config.seed)
    counts = np.asarray(cells, dtype=np.int64)
    flat = counts.reshape(counts.shape[0], 8)
    totals = flat.sum(axis=-1)  # (S,)
    probabilities = np.divide(
        flat, totals[:, None], out=np.full(flat.shape, 0.125), where=totals[:, None] > 0
    )
    draws = (
        generator.multinomial(totals, probabilities, size=(config.resamples, totals.size))
        .reshape(config.resamples, *counts.shape)
        .astype(float)
    )
    a_point, b_point = _paired_figures(counts.astype(float))
    a_boot, b_boot = _paired_figures(draws)
    result: dict[str, tuple[FloatArray, FloatArray, FloatArray]] = {}
    for name in a_point:
        delta = b_point[name] - a_point[name]
        lower, upper = percentile_interval(b_boot[name] - a_boot[name], config.confidence)
        result[name] = (delta, lower, upper)
    return result


__all__ = [
    "IntervalConfig",
    "IntervalMethod",
    "bootstrap_confusion_counts",
    "bootstrap_count_intervals",
    "bootstrap_ranking_intervals",
    "count_figures",
    "paired_bootstrap_deltas",
    "paired_ranking_deltas",
    "per_bin_once",
    "score_bin_index",
    "paired_cell_counts",
    "percentile_interval",
    "ranking_figures_from_bins",
    "score_bin_counts",
    "wilson_interval",
]
