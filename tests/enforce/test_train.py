from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from modgate.enforce import TrainingRow, training_data_hash
from modgate.enforce.classifier import TextClassifier, train_classifier
from modgate.enforce.classifier._preprocess import PREPROCESSING, WordNgramAnalyzer, preprocess_text
from modgate.errors import EnforcerError

from .conftest import synthetic_rows

SMALL = {"n_features": 2**12}


@pytest.mark.parametrize("profile", ["fast", "accurate"])
def test_profiles_learn_and_give_calibrated_probabilities(profile, rows) -> None:
    trained = train_classifier(rows, profile=profile, dev_rows=synthetic_rows(60, seed=99), **SMALL)
    proba = trained.model.predict_proba(
        ["all migrants are vermin and should leave", "my gays students came over for dinner"]
    )
    assert proba.shape == (2, 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.5 > proba[1, 1]
    metrics = trained.dev_metrics
    assert metrics is not None and metrics.n == 60 and metrics.positives == 30
    assert metrics.average_precision is not None and metrics.average_precision > 0.9
    assert trained.n_train == len(rows)


def test_data_hash_ignores_row_order_but_not_content(rows) -> None:
    assert training_data_hash(rows) == training_data_hash(list(reversed(rows)))
    changed = [*rows[:-1], rows[-1].model_copy(update={"label": 1 - rows[-1].label})]
    assert training_data_hash(changed) != training_data_hash(rows)
    reweighted = [*rows[:-1], rows[-1].model_copy(update={"weight": 2.0})]
    assert training_data_hash(reweighted) != training_data_hash(rows)


def test_training_is_deterministic_and_order_independent(rows) -> None:
    a = train_classifier(rows, **SMALL).model
    b = train_classifier(list(reversed(rows)), **SMALL).model
    texts = [r.text for r in rows[:20]]
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))


def test_sample_weights_change_the_fit(rows) -> None:
    weighted = [r.model_copy(update={"weight": 5.0}) if r.label else r for r in rows]
    texts = ["my migrants friends are vermin"]
    plain = train_classifier(rows, **SMALL).model.predict_proba(texts)
    heavy = train_classifier(weighted, **SMALL).model.predict_proba(texts)
    assert not np.allclose(plain, heavy)


def test_sklearn_conventions_clone_and_pickle(rows) -> None:
    model = TextClassifier(profile="accurate", C=2.0, n_features=2**12)
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(model, "pipeline_")
    fitted = model.fit([r.text for r in rows], [r.label for r in rows])
    assert fitted is model and list(model.classes_) == [0, 1]
    assert model.preprocessing_ == PREPROCESSING
    again = pickle.loads(pickle.dumps(model))
    assert np.array_equal(
        again.predict(["all jews are scum"]), model.predict(["all jews are scum"])
    )


def test_too_few_examples_of_a_class_is_a_clear_error() -> None:
    rows = [TrainingRow(text=f"ok {i}", label=0) for i in range(10)]
    rows.append(TrainingRow(text="bad", label=1))
    with pytest.raises(EnforcerError, match="at least 3 examples of each class.*1 violating"):
        train_classifier(rows)


def test_unknown_profile_and_parameter_are_enforcer_errors(rows) -> None:
    with pytest.raises(EnforcerError, match="unknown classifier profile 'turbo'"):
        train_classifier(rows, profile="turbo")  # type: ignore[arg-type]
    with pytest.raises(EnforcerError, match="invalid classifier parameter"):
        train_classifier(rows, colour="red")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("violating", 1), ("non_violating", 0), ("TRUE", 1), ("0", 0), (True, 1), (0, 0)],
)
def test_training_row_labels(value, expected) -> None:
    assert TrainingRow(text="t", label=value).label == expected


def test_training_row_refuses_unknown_label_and_bad_weight() -> None:
    with pytest.raises(ValueError, match="not one of"):
        TrainingRow(text="t", label="maybe")
    with pytest.raises(ValueError):
        TrainingRow(text="t", label=1, weight=0)


def test_preprocessing_folds_evasions_through_modgate_text() -> None:
    assert preprocess_text("K\u200bILL ｙｏｕ") == "kill you"
    assert (
        preprocess_text("k1ll") == preprocess_text("kіll") == preprocess_text("kill")
    )  # leet, Cyrillic і
    assert preprocess_text("Привет, как дела?") == "привет, как дела?"
    assert WordNgramAnalyzer(2)("go, away now!") == ["go", "away", "now", "go away", "away now"]
    assert WordNgramAnalyzer(3)("one two six")[-1] == "one two six"


def test_evasive_spelling_scores_like_the_plain_word(rows) -> None:
    model = train_classifier(rows, n_features=2**12).model
    plain, evasive = model.predict_proba(
        ["all migrants are vermin and should leave", "all migrants are v3rm1n and should leave"]
    )[:, 1]
    assert evasive == pytest.approx(plain)


@settings(max_examples=200)
@given(st.text())
def test_analyzer_never_raises_and_is_idempotent_on_its_preprocessing(text: str) -> None:
    once = preprocess_text(text)
    assert preprocess_text(once) == once
    grams = WordNgramAnalyzer(2)(once)
    assert all(g and g == g.strip() for g in grams)
