"""Label-free performance estimate from calibrated scores (pure).

If the scores are calibrated in the current window — P(violating | score = s) = s — then each
item is violating with probability s_i, independently, and for a threshold t:

    E[TP] = Σ_{s_i ≥ t} s_i        E[FP] = Σ_{s_i ≥ t} (1 − s_i)       E[FN] = Σ_{s_i < t} s_i
    expected precision = E[TP] / #{s_i ≥ t}      expected recall ≈ E[TP] / (E[TP] + E[FN])

TP and FN are sums of independent Bernoulli variables (Poisson-binomial), with variances
Σ s(1 − s) over their items; the standard errors use those variances (recall by the delta method).
**Assumptions**: calibration holds *now* (it was fitted on the reference data; drift breaks it —
read this next to the score-drift checks), items are independent, and the scores are the ones
actions were taken on. The estimate measures the model's own belief, so it detects a shift of the
score distribution that changes expected precision or recall, never a model that is confidently
wrong.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict

from modgate.errors import UndefinedMetricWarning


class LabelFreeEstimate(BaseModel):
    """Expected precision and recall of a threshold in a window, from calibrated scores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float
    """Scores at or above it are actioned."""
    n: int
    """Items in the window."""
    n_flagged: int
    """Items at or above the threshold."""
    expected_positives: float
    """Σ s_i: expected violating items."""
    expected_precision: float
    """E[TP] / flagged (NaN when nothing is flagged)."""
    precision_se: float
    """Standard error of the precision under the assumptions."""
    expected_recall: float
    """E[TP] / (E[TP] + E[FN]) (NaN when no positives are expected)."""
    recall_se: float
    """Delta-method standard error of the recall."""


def estimate_performance_label_free(scores: ArrayLike, threshold: float) -> LabelFreeEstimate:
    """Expected precision and recall at `threshold` from calibrated scores.

    Args:
        scores: Calibrated P(violating) of each item in the window.
        threshold: Action threshold.

    Returns:
        The estimate; NaN figures with an `UndefinedMetricWarning` when undefined.
    """
    s = np.asarray(scores, dtype=float)
    if ((s < 0) | (s > 1)).any() or np.isnan(s).any():
        raise ValueError("scores must be probabilities in [0, 1]")
    flagged = s >= threshold
    tp_mean = float(s[flagged].sum())
    tp_var = float((s[flagged] * (1 - s[flagged])).sum())
    fn_mean = float(s[~flagged].sum())
    fn_var = float((s[~flagged] * (1 - s[~flagged])).sum())
    n_flagged = int(flagged.sum())
    if n_flagged:
        precision = tp_mean / n_flagged
        precision_se = math.sqrt(tp_var) / n_flagged
    else:
        warnings.warn("nothing flagged: precision undefined", UndefinedMetricWarning, 2)
        precision = precision_se = math.nan
    positives = tp_mean + fn_mean
    if positives > 0:
        recall = tp_mean / positives
        recall_se = math.sqrt(fn_mean**2 * tp_var + tp_mean**2 * fn_var) / positives**2
    else:
        warnings.warn("no expected positives: recall undefined", UndefinedMetricWarning, 2)
        recall = recall_se = math.nan
    return LabelFreeEstimate(
        threshold=threshold,
        n=int(s.size),
        n_flagged=n_flagged,
        expected_positives=positives,
        expected_precision=precision,
        precision_se=precision_se,
        expected_recall=recall,
        recall_se=recall_se,
    )
