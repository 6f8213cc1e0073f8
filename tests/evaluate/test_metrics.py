from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    multilabel_confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
)

from modgate.errors import UndefinedMetricWarning, ValidationError
from modgate.evaluate import confusion_counts, criterion_confusion, point_metrics
from modgate.evaluate._metrics import band_predictions


def _reference(y: np.ndarray, p: np.ndarray, s: np.ndarray) -> dict[str, float]:
    tn = int(((~y) & (~p)).sum())
    fp = int(((~y) & p).sum())
    return {
        "precision": precision_score(y, p),
        "recall": recall_score(y, p),
        "f1": f1_score(y, p),
        "fpr": fp / (fp + tn),
        "auprc": average_precision_score(y, s),
        "roc_auc": roc_auc_score(y, s),
    }


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=4, max_value=300),
    st.sampled_from([2, 5, 1000]),
)
def test_point_metrics_equal_scikit_learn_on_random_data(seed: int, n: int, levels: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.4
    y[0], y[1] = True, False  # both classes present
    s = np.round(rng.random(n) * (levels - 1)) / (levels - 1)  # few levels: many ties
    p = s >= 0.5
    p[0], p[1] = True, False  # something predicted violating, something not
    got = point_metrics(y, p, s)
    for name, expected in _reference(y, p, s).items():
        assert got[name] == pytest.approx(expected, abs=1e-12), name


def test_confusion_counts_and_empty_input() -> None:
    counts = confusion_counts([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (2, 1, 1, 1)
    empty = confusion_counts([], [])
    assert empty.n == 0


def test_empty_input_gives_none_with_warnings_not_a_crash() -> None:
    with pytest.warns(UndefinedMetricWarning):
        got = point_metrics([], [], [])
    assert all(v is None for v in got.values())


def test_one_class_only_leaves_undefined_figures_none_and_says_why() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = point_metrics([0, 0, 0, 0], [1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3])
    messages = [str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert got["precision"] == 0.0
    assert got["fpr"] == 0.25
    assert got["recall"] is None and got["auprc"] is None and got["roc_auc"] is None
    assert any("recall is undefined" in m and "one class" in m for m in messages)
    assert not [w for w in caught if "sklearn" in str(w.category.__module__)]


def test_nothing_predicted_violating_makes_precision_undefined() -> None:
    with pytest.warns(UndefinedMetricWarning, match="precision is undefined"):
        got = point_metrics([1, 0, 1], [0, 0, 0], [0.2, 0.1, 0.3])
    assert got["precision"] is None
    assert got["recall"] == 0.0


def test_nan_scores_are_left_out_of_ranking_figures_with_a_warning() -> None:
    y = np.array([1, 0, 1, 0, 1, 0], dtype=bool)
    s = np.array([0.9, 0.1, np.nan, 0.2, 0.8, np.nan])
    with pytest.warns(UndefinedMetricWarning, match="2 item"):
        got = point_metrics(y, s >= 0.5, s)
    keep = ~np.isnan(s)
    assert got["roc_auc"] == pytest.approx(roc_auc_score(y[keep], s[keep]))
    assert got["auprc"] == pytest.approx(average_precision_score(y[keep], s[keep]))


def test_all_nan_scores_leave_ranking_figures_undefined() -> None:
    with pytest.warns(UndefinedMetricWarning):
        got = point_metrics([1, 0], [1, 0], [np.nan, np.nan])
    assert got["auprc"] is None and got["roc_auc"] is None
    assert got["precision"] == 1.0


def test_all_tied_scores_give_chance_roc_auc() -> None:
    got = point_metrics([1, 0, 1, 0], [1, 1, 1, 1], [0.5, 0.5, 0.5, 0.5])
    assert got["roc_auc"] == 0.5
    assert got["auprc"] == pytest.approx(0.5)


def test_bad_input_raises_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="same length"):
        point_metrics([1, 0], [1])
    with pytest.raises(ValidationError, match="0/1"):
        point_metrics([2, 0], [1, 0])
    with pytest.raises(ValidationError, match="scores must have 2"):
        point_metrics([1, 0], [1, 0], [0.1])
    with pytest.raises(ValidationError, match="infinite"):
        point_metrics([1, 0], [1, 0], [np.inf, 0.1])


def test_action_bands_are_cumulative() -> None:
    actions = ["remove", "review", "warn", "allow", "label"]
    assert band_predictions(actions, "remove").tolist() == [True, False, False, False, False]
    assert band_predictions(actions, "review").tolist() == [True, True, False, False, False]
    with pytest.raises(ValidationError, match="unknown action band"):
        band_predictions(actions, "warn")


def test_criterion_confusion_equals_multilabel_confusion_matrix() -> None:
    gold = [("slur",), ("slur", "threat"), (), ("threat",)]
    pred = [("slur",), ("threat",), ("slur",), ()]
    got = criterion_confusion(gold, pred)
    g = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    p = np.array([[1, 0], [0, 1], [1, 0], [0, 0]])
    for name, matrix in zip(["slur", "threat"], multilabel_confusion_matrix(g, p), strict=True):
        c = got[name]
        assert [[c.tn, c.fp], [c.fn, c.tp]] == matrix.tolist()
