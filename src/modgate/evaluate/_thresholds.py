"""Threshold tuning: the best-recall threshold for a target precision or FPR. Pure.

For a target precision or false-positive rate, the threshold with the best recall, overall and
optionally per community, from scikit-learn's precision-recall and ROC curves.

The result is a proposal of new thresholds; writing them as a new enforcer version is the
enforcer catalog's job (thresholds belong to the enforcer, DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import ValidationError


class ThresholdTarget(BaseModel):
    """What a tuned threshold must achieve."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: Literal["precision", "fpr"]
    """`precision` (at least `value`) or `fpr` (at most `value`)."""
    value: float = Field(ge=0.0, le=1.0)
    """Target value."""


class ThresholdResult(BaseModel):
    """The tuned threshold of one scope (overall or a community)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str
    """`overall` or `community=NAME`."""
    threshold: float | None
    """Score at or above which the action is taken; None when the target is not reachable."""
    precision: float | None
    """Precision at the threshold."""
    recall: float | None
    """Recall at the threshold (the figure maximised)."""
    fpr: float | None
    """False-positive rate at the threshold."""
    positives: int
    """Violating items in the scope."""
    negatives: int
    """Non-violating items in the scope."""
    note: str | None = None
    """Why there is no threshold, or why a community falls back to the overall one."""


class ThresholdPlan(BaseModel):
    """Tuned thresholds for one action: overall plus per-community overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str
    """Action whose threshold is tuned (normally `remove`)."""
    target: ThresholdTarget
    """The target."""
    overall: ThresholdResult
    """The overall threshold."""
    communities: tuple[ThresholdResult, ...] = ()
    """Per-community thresholds (those with enough support)."""

    def threshold_overrides(self) -> dict[str, object]:
        """The plan as enforcer thresholds: `{action: t, "communities": {name: {action: t}}}`."""
        result: dict[str, object] = {}
        if self.overall.threshold is not None:
            result[self.action] = self.overall.threshold
        overrides = {
            r.scope.split("=", 1)[1]: {self.action: r.threshold}
            for r in self.communities
            if r.threshold is not None
        }
        if overrides:
            result["communities"] = overrides
        return result


def best_threshold(
    y_true: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    target: ThresholdTarget,
    *,
    scope: str = "overall",
) -> ThresholdResult:
    """The threshold meeting `target` with the highest recall (ties: the highest threshold).

    Items with a NaN score are left out.

    Args:
        y_true: Gold labels.
        scores: Scores in [0, 1].
        target: Target precision (minimum) or false-positive rate (maximum).
        scope: Name of the scope, for the result.
    """
    from sklearn.metrics import precision_recall_curve, roc_curve

    keep = ~np.isnan(scores)
    truth, values = y_true[keep], scores[keep]
    positives, negatives = int(truth.sum()), int((~truth).sum())

    def empty(note: str) -> ThresholdResult:
        return ThresholdResult(
            scope=scope, threshold=None, precision=None, recall=None, fpr=None,
            positives=positives, negatives=negatives, note=note,
        )  # fmt: skip

    if positives == 0 or negatives == 0:
        return empty("needs violating and non-violating items with scores")
    # Candidate thresholds: every distinct score; figures of `score >= t` for each.
    precision, recall, thresholds = precision_recall_curve(truth, values)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    fpr_curve, _tpr, roc_thresholds = roc_curve(truth, values, drop_intermediate=False)
    fpr_at = dict(zip(roc_thresholds.tolist(), fpr_curve.tolist(), strict=True))
    fpr = np.array([fpr_at.get(t, np.nan) for t in thresholds.tolist()])
    if target.metric == "precision":
        ok = precision >= target.value - 1e-12
    else:
        ok = fpr <= target.value + 1e-12
    if not ok.any():
        return empty(f"no threshold reaches {target.metric} {target.value:g}")
    candidates = np.flatnonzero(ok)
    best_recall = recall[candidates].max()
    best = candidates[np.isclose(recall[candidates], best_recall)]
    chosen = int(best[np.argmax(thresholds[best])])
    return ThresholdResult(
        scope=scope,
        threshold=float(thresholds[chosen]),
        precision=float(precision[chosen]),
        recall=float(recall[chosen]),
        fpr=float(fpr[chosen]),
        positives=positives,
        negatives=negatives,
    )


def tune_thresholds(
    y_true: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    target: ThresholdTarget,
    *,
    communities: Sequence[str | None] | None = None,
    min_support: int = 30,
    action: str = "remove",
) -> ThresholdPlan:
    """Tune the threshold of one action overall and, optionally, per community.

    A community gets its own threshold only when it has at least `min_support` violating and
    `min_support` non-violating scored items and the target is reachable in it; otherwise it
    keeps the overall threshold (listed with a note).

    Args:
        y_true: Gold labels.
        scores: Scores.
        target: Target precision or false-positive rate.
        communities: Community of each item (None entries: no community); omit for overall only.
        min_support: Items of each class a community needs for its own threshold.
        action: Action whose threshold is tuned.

    Raises:
        ValidationError: Arrays of different lengths.
    """
    if len(y_true) != len(scores) or (communities is not None and len(communities) != len(scores)):
        raise ValidationError("labels, scores and communities must have the same length")
    overall = best_threshold(y_true, scores, target)
    results: list[ThresholdResult] = []
    if communities is not None:
        names = np.array([c or "" for c in communities], dtype=object)
        for name in sorted({c for c in communities if c}):
            mask = names == name
            result = best_threshold(y_true[mask], scores[mask], target, scope=f"community={name}")
            enough = min(result.positives, result.negatives) >= min_support
            if not enough:
                result = result.model_copy(
                    update={
                        "threshold": None,
                        "note": f"fewer than {min_support} items of a class: keeps the overall "
                        "threshold",
                    }
                )
            results.append(result)
    return ThresholdPlan(action=action, target=target, overall=overall, communities=tuple(results))


__all__ = [
    "ThresholdPlan",
    "ThresholdResult",
    "ThresholdTarget",
    "best_threshold",
    "tune_thresholds",
]
