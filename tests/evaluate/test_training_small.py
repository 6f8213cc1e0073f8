"""Training on few rows: no silent wrong-sign calibration; what was fitted is printed."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from modgate.enforce import TrainingRow
from modgate.enforce.classifier import train_classifier
from tests.enforce.conftest import synthetic_rows


def _auc(model, rows: list[TrainingRow]) -> float:  # type: ignore[no-untyped-def]
    y = np.array([r.label for r in rows])
    return float(roc_auc_score(y, model.predict_proba([r.text for r in rows])[:, 1]))


def _base_auc(model, rows: list[TrainingRow]) -> float:  # type: ignore[no-untyped-def]
    step = model.pipeline_.named_steps["model"]
    base = getattr(step, "calibrated_classifiers_", None)
    estimator = base[0].estimator if base else step
    features = model.pipeline_.named_steps["features"].transform([r.text for r in rows])
    y = np.array([r.label for r in rows])
    return float(roc_auc_score(y, estimator.predict_proba(features)[:, 1]))


def test_eight_rows_per_class_fall_back_to_the_uncalibrated_model_with_a_warning() -> None:
    pool = synthetic_rows(200, seed=4)
    rows = [r for r in pool if r.label][:8] + [r for r in pool if not r.label][:8]
    trained = train_classifier(rows, profile="fast", n_features=4096)
    assert trained.warnings and "calibration skipped" in trained.warnings[0]
    assert trained.rows_per_class == {"violating": 8, "non_violating": 8}
    assert not trained.model.calibrated_
    assert _auc(trained.model, rows) >= _base_auc(trained.model, rows)


def test_a_calibrated_model_never_ranks_its_training_rows_worse_than_its_base() -> None:
    for seed in range(4):
        rows = synthetic_rows(120, seed=seed)
        trained = train_classifier(rows, profile="fast", n_features=4096)
        assert _auc(trained.model, rows) >= _base_auc(trained.model, rows) - 1e-12
        if trained.model.calibrated_:
            assert trained.warnings == ()
