"""The direct scorer gives scikit-learn's probabilities for every pipeline `fit` builds."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.enforce.classifier import TextClassifier
from modgate.enforce.classifier._direct import direct_scorer

CASES = {
    "fast-sigmoid": {"profile": "fast", "calibration": "sigmoid"},
    "fast-isotonic": {"profile": "fast", "calibration": "isotonic"},
    "accurate-sigmoid": {"profile": "accurate", "calibration": "sigmoid"},
}


def _fit(rows, **params) -> TextClassifier:  # type: ignore[no-untyped-def]
    texts = [r.text for r in rows]
    labels = [int(r.label) for r in rows]
    return TextClassifier(n_features=2**12, **params).fit(texts, labels)


@pytest.fixture(scope="module")
def fitted(rows) -> dict[str, TextClassifier]:  # type: ignore[no-untyped-def]
    models = {name: _fit(rows, **params) for name, params in CASES.items()}
    # too few rows for 3-fold calibration: the bare logistic regression is kept
    models["uncalibrated"] = _fit(rows[:12])
    return models


def test_every_shape_fit_builds_is_scored_directly(fitted) -> None:  # type: ignore[no-untyped-def]
    assert not fitted["uncalibrated"].calibrated_
    assert all(m.calibrated_ for n, m in fitted.items() if n != "uncalibrated")
    for model in fitted.values():
        assert direct_scorer(model.pipeline_) is not None


@pytest.mark.parametrize("name", [*CASES, "uncalibrated"])
def test_direct_probabilities_equal_sklearns(fitted, rows, name) -> None:  # type: ignore[no-untyped-def]
    model = fitted[name]
    texts = [r.text for r in rows] + ["", "   ", "ünïcödé 🙂 text", "a " * 500]
    direct = model.predict_proba(texts)
    reference = model.pipeline_.predict_proba(texts)
    np.testing.assert_allclose(direct, reference, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(direct.sum(axis=1), 1.0)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_direct_matches_sklearn_on_any_text(fitted, texts) -> None:  # type: ignore[no-untyped-def]
    for model in fitted.values():
        np.testing.assert_allclose(
            model.predict_proba(texts), model.pipeline_.predict_proba(texts), rtol=1e-10, atol=1e-12
        )


def test_the_cached_scorer_is_not_pickled_and_is_rebuilt(fitted) -> None:  # type: ignore[no-untyped-def]
    model = fitted["fast-sigmoid"]
    model.predict_proba(["warm the cache"])
    assert "_direct" in model.__dict__
    restored = pickle.loads(pickle.dumps(model))
    assert "_direct" not in restored.__dict__
    np.testing.assert_allclose(
        restored.predict_proba(["some text"]), model.predict_proba(["some text"])
    )


def test_another_pipeline_shape_falls_back_to_sklearn(fitted) -> None:  # type: ignore[no-untyped-def]
    from sklearn.pipeline import Pipeline

    pipeline = fitted["fast-sigmoid"].pipeline_
    assert direct_scorer(Pipeline([("model", pipeline.named_steps["model"])])) is None
    assert direct_scorer(object()) is None
