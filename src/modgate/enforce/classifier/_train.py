"""Training the local classifier from rows of (text, label, weight).

`enforce` does not know golden sets: callers pass the rows of a frozen split. Two profiles:

- `fast`: hashed word n-grams (1..`ngram_max`, default 2), L2-normalized → calibrated logistic
  regression. Most of its time is the shared text normalization (see docs/enforcers.md).
- `accurate`: hashed word n-grams (default 1..2) + hashed character n-grams within word
  boundaries (3..5), TF-IDF weighted → calibrated logistic regression.

Both hash their n-grams a batch at a time with numpy (`_ngram_hash`), not one string at a time.

`TextClassifier` follows the scikit-learn estimator contract (constructor stores parameters,
`fit` returns self, learned attributes end in `_`), so it clones, pickles and cross-validates
like any sklearn classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from modgate.enforce._training_rows import TrainingRow, training_data_hash
from modgate.enforce.classifier._direct import direct_scorer
from modgate.enforce.classifier._ngram_hash import CharNgramHasher, WordNgramHasher
from modgate.enforce.classifier._preprocess import PREPROCESSING, normalize_texts
from modgate.errors import EnforcerError

Profile = Literal["fast", "accurate"]
PROFILES: tuple[Profile, ...] = ("fast", "accurate")

MIN_CALIBRATION_ROWS_PER_FOLD = 10
"""Rows of each class each calibration fold needs for Platt/isotonic to be estimated honestly;
below `cv` times this, the classifier is left uncalibrated (with a warning)."""


class ClassifierMetrics(BaseModel):
    """Metrics of a trained classifier on held-out (dev) rows, at the 0.5 threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int
    """Rows scored."""
    positives: int
    """Violating rows among them."""
    average_precision: float | None
    """Area under the precision-recall curve (None without both classes)."""
    roc_auc: float | None
    """Area under the ROC curve (None without both classes)."""
    precision: float
    """Precision at score ≥ 0.5."""
    recall: float
    """Recall at score ≥ 0.5."""
    f1: float
    """F1 at score ≥ 0.5."""


class TextClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Calibrated linear text classifier over hashed n-grams of normalized text.

    Args:
        profile: `fast` (word n-grams) or `accurate` (word + character n-grams).
        n_features: Hash space per feature family (a power of two).
        ngram_max: Longest word n-gram (default 2).
        C: Inverse regularization strength of the logistic regression.
        calibration: `sigmoid` (Platt) or `isotonic`.
        cv: Folds used to fit the calibrator on out-of-fold scores.
        class_weight: Passed to the logistic regression (`balanced` or None).

    Example:
        >>> clf = TextClassifier(profile="fast").fit(texts, labels)  # doctest: +SKIP
        >>> clf.predict_proba(["some text"])[:, 1]  # doctest: +SKIP
    """

    def __init__(
        self,
        profile: Profile = "fast",
        n_features: int = 2**20,
        ngram_max: int | None = None,
        C: float = 8.0,  # noqa: N803  (sklearn's name)
        calibration: Literal["sigmoid", "isotonic"] = "sigmoid",
        cv: int = 3,
        class_weight: str | None = "balanced",
    ) -> None:
        self.profile = profile
        self.n_features = n_features
        self.ngram_max = ngram_max
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.class_weight = class_weight

    def _features(self) -> Pipeline:
        ngram_max = self.ngram_max or 2
        if self.profile == "fast":
            words = WordNgramHasher(ngram_max=ngram_max, n_features=self.n_features, norm="l2")
            return Pipeline(
                [("normalize", FunctionTransformer(normalize_texts)), ("ngrams", words)]
            )
        if self.profile != "accurate":
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {self.profile!r}")
        chars = CharNgramHasher(ngram_min=3, ngram_max=5, n_features=self.n_features)
        raw_words = WordNgramHasher(ngram_max=ngram_max, n_features=self.n_features, norm=None)
        return Pipeline(
            [
                ("normalize", FunctionTransformer(normalize_texts)),
                ("ngrams", FeatureUnion([("words", raw_words), ("chars", chars)])),
                ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ]
        )

    def fit(
        self,
        X: Sequence[str],  # noqa: N803  (sklearn's name)
        y: Sequence[int] | NDArray[Any],
        sample_weight: Sequence[float] | NDArray[Any] | None = None,
    ) -> TextClassifier:
        """Fit on texts and binary labels (1 = violating).

        Calibration is fitted on out-of-fold scores only when every class has at least
        `cv * MIN_CALIBRATION_ROWS_PER_FOLD` rows; otherwise, or when the calibrated scores
        would rank the training rows worse than the model underneath (a Platt fit on a handful
        of scores can take the wrong sign), the uncalibrated model is kept and `warnings_`
        says why.

        Raises:
            ValueError: A class has fewer than `cv` examples.
        """
        labels = np.asarray(y, dtype=np.int64)
        counts = np.bincount(labels, minlength=2)
        if counts.min() < self.cv:
            raise ValueError(
                f"need at least {self.cv} examples of each class, got "
                f"{int(counts[1])} violating and {int(counts[0])} non-violating"
            )
        texts = list(X)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        linear = LogisticRegression(
            C=self.C, solver="liblinear", class_weight=self.class_weight, max_iter=1000
        )
        needed = self.cv * MIN_CALIBRATION_ROWS_PER_FOLD
        found: list[str] = []
        if counts.min() < needed:
            found.append(
                f"calibration skipped: {int(counts[1])} violating and {int(counts[0])} "
                f"non-violating rows are too few for {self.cv}-fold calibration (needs {needed} "
                "of each); scores are the uncalibrated model's"
            )
            pipeline = Pipeline([("features", self._features()), ("model", linear)])
            pipeline.fit(texts, labels, model__sample_weight=weights)
        else:
            model = CalibratedClassifierCV(
                linear, method=self.calibration, cv=self.cv, ensemble=False
            )
            pipeline = Pipeline([("features", self._features()), ("model", model)])
            pipeline.fit(texts, labels, model__sample_weight=weights)
            features = pipeline.named_steps["features"].transform(texts)
            base = model.calibrated_classifiers_[0].estimator
            base_auc = roc_auc_score(labels, base.predict_proba(features)[:, 1])
            calibrated_auc = roc_auc_score(labels, model.predict_proba(features)[:, 1])
            if calibrated_auc < base_auc - 1e-12:
                found.append(
                    f"calibration dropped: it ranked the training rows worse than the model "
                    f"underneath (ROC-AUC {calibrated_auc:.3f} vs {base_auc:.3f}); scores are "
                    "the uncalibrated model's"
                )
                pipeline = Pipeline(
                    [("features", pipeline.named_steps["features"]), ("model", base)]
                )
        self.pipeline_ = pipeline
        self.calibrated_ = not found
        self.warnings_ = tuple(found)
        self.classes_ = np.array([0, 1])
        self.preprocessing_ = PREPROCESSING
        return self

    def predict_proba(self, X: Sequence[str]) -> NDArray[np.float64]:  # noqa: N803
        """Calibrated probabilities, columns (non-violating, violating).

        Computed from the fitted pieces directly (`_direct`: the same numbers without
        scikit-learn's per-call checks) when the pipeline has the shape `fit` builds.
        """
        pipeline = self.pipeline_
        cached = self.__dict__.get("_direct")
        if cached is None or cached[0] is not pipeline:
            cached = self.__dict__["_direct"] = (pipeline, direct_scorer(pipeline))
        scorer = cached[1]
        if scorer is None:
            proba: NDArray[np.float64] = pipeline.predict_proba(list(X))
            return proba
        violating = scorer(list(X))
        return np.column_stack([1.0 - violating, violating])

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_direct", None)  # derived from the pipeline on first use, never pickled
        return state

    def predict(self, X: Sequence[str]) -> NDArray[np.int64]:  # noqa: N803
        """1 where the calibrated probability of violation is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)


class TrainedClassifier(BaseModel):
    """What `train_classifier` produced: the fitted model and what identifies it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    model: TextClassifier
    """The fitted classifier."""
    data_hash: str
    """sha256 of the canonical training rows (order-independent)."""
    n_train: int
    """Training rows."""
    dev_metrics: ClassifierMetrics | None
    """Metrics on the dev rows, when given."""
    warnings: tuple[str, ...] = ()
    """What training could not do as asked (e.g. calibration skipped on too few rows)."""
    rows_per_class: dict[str, int] = Field(default_factory=dict)
    """Training rows per class (`violating`, `non_violating`)."""


def _canonical_order(rows: Sequence[TrainingRow]) -> list[TrainingRow]:
    # Fitting on a canonical order makes the artifact independent of how rows were fetched.
    return sorted(rows, key=lambda r: (r.text, r.label, r.weight))


def evaluate_classifier(model: TextClassifier, rows: Sequence[TrainingRow]) -> ClassifierMetrics:
    """Score rows with a fitted classifier and compute threshold-free and 0.5-threshold metrics."""
    if not rows:
        return ClassifierMetrics(
            n=0,
            positives=0,
            average_precision=None,
            roc_auc=None,
            precision=0.0,
            recall=0.0,
            f1=0.0,
        )
    y = np.array([r.label for r in rows])
    scores = model.predict_proba([r.text for r in rows])[:, 1]
    predicted = (scores >= 0.5).astype(np.int64)
    both = 0 < int(y.sum()) < len(y)
    return ClassifierMetrics(
        n=len(rows),
        positives=int(y.sum()),
        average_precision=float(average_precision_score(y, scores)) if both else None,
        roc_auc=float(roc_auc_score(y, scores)) if both else None,
        precision=float(precision_score(y, predicted, zero_division=0)),
        recall=float(recall_score(y, predicted, zero_division=0)),
        f1=float(f1_score(y, predicted, zero_division=0)),
    )


def train_classifier(
    rows: Sequence[TrainingRow],
    *,
    profile: Profile = "fast",
    dev_rows: Sequence[TrainingRow] = (),
    **params: Any,
) -> TrainedClassifier:
    """Fit a `TextClassifier` on training rows and measure it on dev rows.

    Args:
        rows: Training rows (a frozen train split plus policy examples, say).
        profile: `fast` or `accurate`.
        dev_rows: Held-out rows for the metrics stored with the artifact.
        **params: Other `TextClassifier` parameters (`C`, `n_features`, `ngram_max`, …).

    Returns:
        The fitted model, the training-data hash and dev metrics.

    Raises:
        EnforcerError: The rows cannot train a calibrated classifier (too few of a class,
            unknown profile or parameter).
    """
    if profile not in PROFILES:
        raise EnforcerError(
            f"unknown classifier profile {profile!r} (known: {', '.join(PROFILES)})"
        )
    ordered = _canonical_order(rows)
    try:
        model = TextClassifier(profile=profile, **params)
    except TypeError as exc:
        raise EnforcerError(f"invalid classifier parameter: {exc}") from exc
    try:
        model.fit(
            [r.text for r in ordered],
            [r.label for r in ordered],
            sample_weight=[r.weight for r in ordered],
        )
    except ValueError as exc:
        raise EnforcerError(f"cannot train the classifier: {exc}") from exc
    return TrainedClassifier(
        model=model,
        data_hash=training_data_hash(ordered),
        n_train=len(ordered),
        dev_metrics=evaluate_classifier(model, dev_rows) if dev_rows else None,
        warnings=model.warnings_,
        rows_per_class={
            "violating": sum(r.label for r in ordered),
            "non_violating": sum(1 - r.label for r in ordered),
        },
    )


__all__ = [
    "MIN_CALIBRATION_ROWS_PER_FOLD",
    "PROFILES",
    "ClassifierMetrics",
    "Profile",
    "TextClassifier",
    "TrainedClassifier",
    "evaluate_classifier",
    "train_classifier",
]
