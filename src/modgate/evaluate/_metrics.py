"""Point estimates of binary-classification figures, wrapping `sklearn.metrics`. Pure.

Every function takes arrays and returns values; nothing here reads a database, a clock or the
environment. Degenerate input never crashes: a figure that is undefined on the data (one class
only — AUPRC included, where scikit-learn would say 1.0 for any ranking —, nothing predicted
violating, no usable score) is `None`, with an `UndefinedMetricWarning`
naming the figure and the reason. Scores that are NaN are left out of the ranking figures
(AUPRC, ROC-AUC) only, with a warning giving their number.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from modgate.domain import ACTION_SEVERITY, Action
from modgate.errors import UndefinedMetricWarning, ValidationError
from modgate.evaluate._records import (
    COUNT_METRICS,
    HIGHER_IS_BETTER,
    METRIC_NAMES,
    RANKING_METRICS,
    ConfusionCounts,
    MetricName,
)

BandName = Literal["remove", "review"]
BANDS: tuple[BandName, ...] = ("remove", "review")
"""Action bands: `remove` counts items whose action is remove; `review` counts items whose action
is review or more severe (every item a person or the system acts on)."""

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def _materialize(values: Iterable[object] | npt.ArrayLike) -> npt.ArrayLike:
    if isinstance(values, np.ndarray | list | tuple) or not isinstance(values, Iterable):
        return values
    materialized: list[Any] = list(values)
    return materialized


def as_bool_array(values: Iterable[bool] | npt.ArrayLike, name: str) -> BoolArray:
    """Validate a 0/1 or boolean vector and return it as booleans.

    Raises:
        ValidationError: The vector is not one-dimensional or holds values other than 0/1.
    """
    array = np.asarray(_materialize(values))
    if array.ndim != 1:
        raise ValidationError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=bool)
    if array.dtype == bool:
        return array
    if not np.isin(array, (0, 1)).all():
        bad = array[~np.isin(array, (0, 1))][:3].tolist()
        raise ValidationError(f"{name} must hold 0/1 or booleans, found {bad}")
    return array.astype(bool)


def as_score_array(values: Iterable[float] | npt.ArrayLike, n: int) -> FloatArray:
    """Validate a score vector of length `n` (NaN allowed, meaning no score).

    Raises:
        ValidationError: Wrong length, or an infinite score.
    """
    array = np.asarray(_materialize(values), dtype=float)
    if array.shape != (n,):
        raise ValidationError(f"scores must have {n} values, got shape {array.shape}")
    if np.isinf(array).any():
        raise ValidationError("scores must be finite or NaN, found an infinite score")
    return array


def _check_lengths(**arrays: Sequence[object] | npt.NDArray[np.generic]) -> None:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise ValidationError(f"arrays must have the same length: {described}")


def confusion_counts(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> ConfusionCounts:
    """Confusion counts from gold labels and predictions (`sklearn.metrics.confusion_matrix`).

    Args:
        y_true: Gold labels, 1/True for violating.
        y_pred: Predicted labels, 1/True for violating.

    Returns:
        The counts; all zero for empty input.
    """
    from sklearn.metrics import (
        confusion_matrix,
    )

    truth = as_bool_array(y_true, "y_true")
    pred = as_bool_array(y_pred, "y_pred")
    _check_lengths(y_true=truth, y_pred=pred)
    if truth.size == 0:
        return ConfusionCounts(tp=0, fp=0, fn=0, tn=0)
    (tn, fp), (fn, tp) = confusion_matrix(truth, pred, labels=[False, True])
    return ConfusionCounts(tp=int(tp), fp=int(fp), fn=int(fn), tn=int(tn))


def metric_support(name: str, counts: ConfusionCounts, scored: int | None = None) -> int:
    """Number of items a figure rests on: its denominator.

    precision: predicted violating; recall: violating; fpr: non-violating; f1: tp + fp + fn;
    auprc and roc_auc: items with a score (`scored`, default all).
    """
    if name == "precision":
        return counts.predicted_positives
    if name == "recall":
        return counts.positives
    if name == "fpr":
        return counts.negatives
    if name == "f1":
        return counts.tp + counts.fp + counts.fn
    return counts.n if scored is None else scored


def undefined_reason(name: str, counts: ConfusionCounts) -> str | None:
    """Why a count figure is undefined on these counts, or None when it is defined."""
    if counts.n == 0:
        return "no items"
    if name == "precision" and counts.predicted_positives == 0:
        return "no item predicted violating"
    if name == "recall" and counts.positives == 0:
        return "no violating item (one class only)"
    if name == "fpr" and counts.negatives == 0:
        return "no non-violating item (one class only)"
    if name == "f1" and counts.tp + counts.fp + counts.fn == 0:
        return "no violating item and none predicted violating"
    return None


def _warn_undefined(name: str, reason: str, context: str | None) -> None:
    where = f" ({context})" if context else ""
    warnings.warn(UndefinedMetricWarning(f"{name} is undefined{where}: {reason}"), stacklevel=3)


def count_metric(
    name: str,
    y_true: BoolArray,
    y_pred: BoolArray,
    counts: ConfusionCounts,
    *,
    warn: bool = True,
    context: str | None = None,
) -> float | None:
    """One of precision, recall, f1, fpr from scikit-learn, or None when undefined.

    Args:
        name: `precision`, `recall`, `f1` or `fpr`.
        y_true: Gold labels as booleans.
        y_pred: Predictions as booleans.
        counts: Their confusion counts (to decide definedness without sklearn warnings).
        warn: Emit `UndefinedMetricWarning` when undefined.
        context: Where the figure is computed (slice name), for the warning.
    """
    from sklearn.metrics import (
        f1_score,
        precision_score,
        recall_score,
    )

    reason = undefined_reason(name, counts)
    if reason is not None:
        if warn:
            _warn_undefined(name, reason, context)
        return None
    if name == "precision":
        return float(precision_score(y_true, y_pred, zero_division=np.nan))
    if name == "recall":
        return float(recall_score(y_true, y_pred, zero_division=np.nan))
    if name == "f1":
        return float(f1_score(y_true, y_pred, zero_division=np.nan))
    if name == "fpr":
        # sklearn has no fpr scorer: it is 1 - recall of the negative class.
        return 1.0 - float(recall_score(y_true, y_pred, pos_label=False, zero_division=np.nan))
    raise ValidationError(f"unknown count figure {name!r}: expected one of {COUNT_METRICS}")


def ranking_metric(
    name: str,
    y_true: BoolArray,
    scores: FloatArray,
    *,
    warn: bool = True,
    context: str | None = None,
) -> float | None:
    """AUPRC (average precision) or ROC-AUC from scikit-learn, or None when undefined.

    Items with a NaN score are left out (with a warning); ties are handled by scikit-learn
    (tied scores form one threshold).
    """
    from sklearn.metrics import (
        average_precision_score,
        roc_auc_score,
    )

    scored = ~np.isnan(scores)
    if warn and not scored.all() and scored.any():
        dropped = int((~scored).sum())
        warnings.warn(
            UndefinedMetricWarning(
                f"{name}: {dropped} item(s) without a score left out"
                + (f" ({context})" if context else "")
            ),
            stacklevel=2,
        )
    truth, values = y_true[scored], scores[scored]
    positives = int(truth.sum())
    reason: str | None = None
    if values.size == 0:
        reason = "no item with a score"
    elif positives == 0:
        reason = "no violating item (one class only)"
    elif positives == values.size:
        # sklearn's average precision is 1.0 here whatever the scores: no ranking was tested.
        reason = "no non-violating item (one class only)"
    if reason is not None:
        if warn:
            _warn_undefined(name, reason, context)
        return None
    if name == "auprc":
        return min(1.0, max(0.0, float(average_precision_score(truth, values))))
    if name == "roc_auc":
        return min(1.0, max(0.0, float(roc_auc_score(truth, values))))
    raise ValidationError(f"unknown ranking figure {name!r}: expected one of {RANKING_METRICS}")


def point_metrics(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    scores: npt.ArrayLike | None = None,
    *,
    warn: bool = True,
    context: str | None = None,
) -> dict[str, float | None]:
    """Every headline figure's point estimate (None where undefined).

    Args:
        y_true: Gold labels (1/True violating).
        y_pred: Predicted labels.
        scores: Violation scores in [0, 1] (NaN: no score); without them the ranking figures
            are None.
        warn: Emit `UndefinedMetricWarning` for undefined figures.
        context: Slice name for the warnings.

    Returns:
        Figure name → value, in `METRIC_NAMES` order.

    Example:
        >>> point_metrics([1, 0, 1, 0], [1, 0, 0, 0], [0.9, 0.2, 0.4, 0.1])["precision"]
        1.0
    """
    truth = as_bool_array(y_true, "y_true")
    pred = as_bool_array(y_pred, "y_pred")
    _check_lengths(y_true=truth, y_pred=pred)
    counts = confusion_counts(truth, pred)
    result: dict[str, float | None] = {
        name: count_metric(name, truth, pred, counts, warn=warn, context=context)
        for name in COUNT_METRICS
    }
    if scores is None:
        result.update(dict.fromkeys(RANKING_METRICS))
    else:
        values = as_score_array(scores, truth.size)
        for name in RANKING_METRICS:
            result[name] = ranking_metric(name, truth, values, warn=warn, context=context)
    return {name: result[name] for name in METRIC_NAMES}


def band_predictions(actions: Sequence[str] | npt.NDArray[np.str_], band: str) -> BoolArray:
    """Which items fall in an action band (`remove`, or `review` = review or more severe).

    Raises:
        ValidationError: Unknown band or action.
    """
    if band not in BANDS:
        raise ValidationError(f"unknown action band {band!r}: expected one of {BANDS}")
    floor = ACTION_SEVERITY[Action(band)]
    try:
        severity = np.array([ACTION_SEVERITY[Action(a)] for a in actions], dtype=np.int8)
    except ValueError as exc:
        raise ValidationError(f"unknown action in predictions: {exc}") from exc
    return severity >= floor if severity.size else np.zeros(0, dtype=bool)


def criterion_confusion(
    gold_criteria: Sequence[Sequence[str]],
    predicted_criteria: Sequence[Sequence[str]],
    criteria: Sequence[str] | None = None,
) -> dict[str, ConfusionCounts]:
    """Per-criterion confusion counts (`sklearn.metrics.multilabel_confusion_matrix`).

    An item is positive for a criterion when its gold criteria contain it, predicted positive
    when the verdict's fired criteria contain it.

    Args:
        gold_criteria: Gold criteria ids per item.
        predicted_criteria: Fired criteria ids per item.
        criteria: Criteria to report (default: every id seen, sorted).

    Returns:
        Criterion id → counts.
    """
    from sklearn.metrics import (
        multilabel_confusion_matrix,
    )

    _check_lengths(gold_criteria=gold_criteria, predicted_criteria=predicted_criteria)
    names = (
        list(criteria)
        if criteria is not None
        else sorted({c for row in (*gold_criteria, *predicted_criteria) for c in row})
    )
    if not names or not gold_criteria:
        return {name: ConfusionCounts(tp=0, fp=0, fn=0, tn=0) for name in names}
    index = {name: i for i, name in enumerate(names)}
    gold = np.zeros((len(gold_criteria), len(names)), dtype=bool)
    pred = np.zeros_like(gold)
    for row, (g, p) in enumerate(zip(gold_criteria, predicted_criteria, strict=True)):
        gold[row, [index[c] for c in g if c in index]] = True
        pred[row, [index[c] for c in p if c in index]] = True
    if len(names) == 1:
        # One column reads as binary labels to scikit-learn: pad with an empty criterion.
        gold = np.hstack([gold, np.zeros_like(gold)])
        pred = np.hstack([pred, np.zeros_like(pred)])
    matrices = multilabel_confusion_matrix(gold, pred)[: len(names)]
    return {
        name: ConfusionCounts(tp=int(m[1, 1]), fp=int(m[0, 1]), fn=int(m[1, 0]), tn=int(m[0, 0]))
        for name, m in zip(names, matrices, strict=True)
    }


__all__ = [
    "BANDS",
    "COUNT_METRICS",
    "HIGHER_IS_BETTER",
    "METRIC_NAMES",
    "RANKING_METRICS",
    "BandName",
    "ConfusionCounts",
    "MetricName",
    "band_predictions",
    "confusion_counts",
    "count_metric",
    "criterion_confusion",
    "metric_support",
    "point_metrics",
    "ranking_metric",
    "undefined_reason",
]
