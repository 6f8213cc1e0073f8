"""Scoring a fitted classifier pipeline directly, without scikit-learn's per-call checks.

Every `predict_proba` of a scikit-learn pipeline validates its input, resolves estimator tags
and re-fits a label encoder: about 4 ms on this machine whatever the batch size, which was
most of the cost of deciding one item in `modgate serve`. The fitted pieces themselves are
small: our hashers, a logistic regression's weights and a Platt (sigmoid) or isotonic
calibrator. `direct_scorer` reads those pieces once and returns a function computing the same
probabilities with numpy (a test holds it to `Pipeline.predict_proba` on every profile and
calibration); a pipeline of any other shape gets None and is scored by scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

Scorer = Callable[[Sequence[str]], NDArray[np.float64]]
"""Texts → P(violating) per text."""


def _features(features: Any) -> Callable[[Sequence[str]], Any] | None:
    if not isinstance(features, Pipeline):
        return None
    steps: list[Callable[[Any], Any]] = []
    for _, step in features.steps:
        if isinstance(step, FunctionTransformer):
            if step.func is None or step.kw_args or step.validate:
                return None
            steps.append(step.func)
        elif hasattr(step, "transform"):
            steps.append(step.transform)
        else:
            return None

    def transform(texts: Sequence[str]) -> Any:
        out: Any = list(texts)
        for apply in steps:
            out = apply(out)
        return out

    return transform


def _linear(model: Any) -> tuple[NDArray[np.float64], float] | None:
    if not isinstance(model, LogisticRegression) or list(model.classes_) != [0, 1]:
        return None
    coef = np.asarray(model.coef_, dtype=np.float64)
    if coef.shape[0] != 1:
        return None
    return coef[0], float(np.asarray(model.intercept_).ravel()[0])


def _calibrated(model: Any) -> tuple[Any, Callable[[NDArray[np.float64]], Any]] | None:
    """(the logistic regression, decision → P(violating)) of a model, or None."""
    if isinstance(model, LogisticRegression):
        return model, expit
    if not isinstance(model, CalibratedClassifierCV) or len(model.calibrated_classifiers_) != 1:
        return None
    fitted = model.calibrated_classifiers_[0]
    if list(fitted.classes) != [0, 1] or len(fitted.calibrators) != 1:
        return None
    calibrator = fitted.calibrators[0]
    if isinstance(calibrator, _SigmoidCalibration):
        a, b = float(calibrator.a_), float(calibrator.b_)
        return fitted.estimator, lambda decision: expit(-(a * decision + b))
    if isinstance(calibrator, IsotonicRegression):
        return fitted.estimator, calibrator.predict
    return None


def direct_scorer(pipeline: Any) -> Scorer | None:
    """A function scoring texts as `pipeline.predict_proba(texts)[:, 1]` does, or None.

    Args:
        pipeline: A fitted `Pipeline([("features", ...), ("model", ...)])` whose model is a
            binary logistic regression, bare or calibrated (sigmoid or isotonic, one
            calibrated classifier).

    Returns:
        The scorer, or None when the pipeline has another shape.
    """
    if not isinstance(pipeline, Pipeline) or [n for n, _ in pipeline.steps] != [
        "features",
        "model",
    ]:
        return None
    transform = _features(pipeline.named_steps["features"])
    calibrated = _calibrated(pipeline.named_steps["model"])
    if transform is None or calibrated is None:
        return None
    linear = _linear(calibrated[0])
    if linear is None:
        return None
    coef, intercept = linear
    calibrate = calibrated[1]

    def score(texts: Sequence[str]) -> NDArray[np.float64]:
        decision = np.asarray(transform(texts) @ coef, dtype=np.float64).ravel() + intercept
        return np.asarray(calibrate(decision), dtype=np.float64)

    return score


__all__ = ["Scorer", "direct_scorer"]
