from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

from modgate.domain import Action
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    PredictionRecord,
    PredictionTable,
    compute_eval_figures,
)
from modgate.evaluate._slices import (
    agreement_level,
    slice_attributes,
    slice_index,
    text_length_bucket,
    worst_ranking,
)
from tests.evaluate.conftest import make_records

FAST = FigureConfig(intervals=IntervalConfig(resamples=200))


def test_overall_and_slice_figures_equal_scikit_learn_on_the_same_items() -> None:
    table = PredictionTable.from_records(make_records(600))
    figures = compute_eval_figures(table, FAST)
    assert figures.overall.metric("precision").value == pytest.approx(
        precision_score(table.gold, table.predicted)
    )
    for group in figures.slices:
        if group.dimension != "community":
            continue
        mask = np.array([group.value in row for row in table.slices["community"]])
        y, p = table.gold[mask], table.predicted[mask]
        assert group.n == mask.sum()
        assert group.metric("recall").value == pytest.approx(recall_score(y, p))
        assert group.metric("f1").value == pytest.approx(f1_score(y, p))
        assert group.metric("auprc").value == pytest.approx(
            average_precision_score(y, table.scores[mask])
        )
        recall = group.metric("recall")
        assert recall.support == int(y.sum())
        assert recall.lower is not None and recall.upper is not None
        assert recall.lower <= recall.value <= recall.upper


def test_bands_use_actions_cumulatively() -> None:
    table = PredictionTable.from_records(make_records(400))
    figures = compute_eval_figures(table, FAST)
    remove, review = figures.bands
    assert remove.name == "band=remove" and review.name == "band=review"
    assert remove.counts.predicted_positives == int((table.actions == "remove").sum())
    assert review.counts.predicted_positives == int(
        np.isin(table.actions, ["remove", "review"]).sum()
    )


def test_low_support_is_marked_and_worst_slices_skip_it() -> None:
    table = PredictionTable.from_records(make_records(300))
    figures = compute_eval_figures(table, FigureConfig(intervals=IntervalConfig(resamples=100),
                                                       min_support=60))  # fmt: skip
    small = [g for g in figures.slices if g.n < 60]
    assert small and all(g.low_support for g in small)
    assert not set(figures.worst_slices) & {g.name for g in small}
    assert figures.overall.metric("precision").low_support is False


def test_degenerate_slice_gives_undefined_figures_with_reasons_not_a_crash() -> None:
    records = [
        PredictionRecord(item_id=f"a{i}", gold=False, score=0.1, predicted=False,
                         slices={"tag": ("news",)})
        for i in range(5)
    ] + [
        PredictionRecord(item_id=f"b{i}", gold=bool(i % 2), score=None if i == 0 else 0.5 + i / 100,
                         predicted=bool(i % 2), action=Action.REMOVE if i % 2 else Action.ALLOW)
        for i in range(10)
    ]  # fmt: skip
    with pytest.warns(UserWarning, match="without a score left out"):
        figures = compute_eval_figures(PredictionTable.from_records(records), FAST)
    news = figures.slice("tag=news")
    assert news.metric("recall").value is None
    assert "one class" in (news.metric("recall").note or "")
    assert news.metric("precision").value is None
    assert news.metric("fpr").value == 0.0
    assert news.metric("roc_auc").value is None
    assert figures.n_scored == 14


def test_empty_run_gives_figures_without_crashing() -> None:
    with pytest.warns(UserWarning):
        figures = compute_eval_figures(PredictionTable.from_records([]), FAST)
    assert figures.n_items == 0
    assert all(m.value is None for m in figures.overall.metrics)


def test_figures_are_reproducible_for_a_seed_and_change_with_it() -> None:
    table = PredictionTable.from_records(make_records(300))
    a = compute_eval_figures(table, FAST)
    b = compute_eval_figures(table, FAST)
    c = compute_eval_figures(table, FigureConfig(intervals=IntervalConfig(resamples=200, seed=9)))
    assert a == b
    assert a.overall.metric("precision").lower != c.overall.metric("precision").lower


def test_reliability_counts_errors_and_parse_failures() -> None:
    records = make_records(200)
    records[1] = records[1].model_copy(update={"error": "could not parse reply as JSON",
                                               "action": Action.REVIEW})  # fmt: skip
    figures = compute_eval_figures(PredictionTable.from_records(records), FAST)
    rel = figures.reliability
    assert rel.error_rate.count == 4  # ids 0, 97, 194 time out, plus one parse failure
    assert rel.parse_failure_rate.count == 1
    assert rel.cost_total == pytest.approx(0.2)


def test_slice_helpers() -> None:
    assert text_length_bucket(10).startswith("short")
    assert text_length_bucket(5000).startswith("very long")
    assert agreement_level(1.0) == "unanimous" and agreement_level(0.5) == "low"
    assert agreement_level(None) is None
    attrs = slice_attributes(community="c", tags=["b", "a", "a"], text="hi", agreement=0.9)
    assert attrs == {"community": ("c",), "tag": ("a", "b"), "text_length": ("short (<50 chars)",),
                     "agreement": ("high",)}  # fmt: skip
    index = slice_index({"tag": [("a", "b"), (), ("b",)]})
    assert index.names == ["tag=a", "tag=b"]
    assert [m.tolist() for m in index.members()] == [[0], [0, 2]]


def test_worst_ranking_uses_pessimistic_bounds() -> None:
    lowers, uppers = [0.5, 0.2, 0.6, 0.1], [0.9, 0.8, 0.7, 0.95]
    assert worst_ranking(lowers, uppers, [True, True, True, False], higher_is_better=True,
                         limit=2) == [1, 0]  # fmt: skip
    assert worst_ranking(lowers, uppers, [True] * 4, higher_is_better=False, limit=1) == [3]


def test_parse_failures_follow_the_llm_judges_wording() -> None:
    from modgate.evaluate import is_parse_failure

    assert is_parse_failure("llm reply malformed: no JSON object in reply")
    assert is_parse_failure("llm reply refusal: model refused")
    assert not is_parse_failure("llm call timeout: read timed out")
    assert not is_parse_failure(None)
