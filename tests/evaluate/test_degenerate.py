"""Degenerate data tells the truth: property tests of every figure against scikit-learn.

Realistically shaped runs (several communities, one-class slices, ties, missing scores, tiny
and large supports) are drawn by Hypothesis; every figure must lie in [0, 1] or be n/a with a
reason, agree with scikit-learn where scikit-learn defines it, and be n/a where it does not.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from modgate.domain import Action
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    PredictionRecord,
    PredictionTable,
    compute_eval_figures,
    latency_basis,
    point_metrics,
    slice_attributes,
)
from modgate.evaluate._slices import agreement_level

CONFIG = FigureConfig(intervals=IntervalConfig(resamples=20, score_bins=16), min_support=5)


@st.composite
def runs(draw: st.DrawFn) -> list[PredictionRecord]:
    n = draw(st.integers(min_value=1, max_value=80))
    communities = draw(st.integers(min_value=1, max_value=6))
    prevalence = draw(st.sampled_from([0.0, 0.02, 0.3, 0.7, 1.0]))
    seed = draw(st.integers(min_value=0, max_value=2**16))
    tie_scores = draw(st.booleans())
    missing = draw(st.sampled_from([0.0, 0.0, 0.2, 1.0]))
    criteria = draw(st.booleans())
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        community = f"c{int(rng.integers(communities))}"
        # Community c0 is all violating, c1 all non-violating (one-class slices).
        gold = bool(rng.random() < prevalence)
        if community == "c0" and communities > 2:
            gold = True
        if community == "c1" and communities > 2:
            gold = False
        raw = float(np.clip(rng.normal(0.35 + 0.3 * gold, 0.2), 0.0, 1.0))
        score = round(raw, 1) if tie_scores else raw
        has_score = rng.random() >= missing
        predicted = score >= 0.5
        records.append(
            PredictionRecord(
                item_id=f"i{i:04d}",
                gold=gold,
                score=score if has_score else None,
                predicted=predicted,
                action=Action.REMOVE
                if score >= 0.8
                else Action.REVIEW
                if predicted
                else Action.ALLOW,
                criteria=("slur",) if criteria and predicted else (),
                gold_criteria=("slur",) if gold else (),
                latency_ms=float(rng.gamma(2.0, 3.0)),
                slices=slice_attributes(
                    policy="hate",
                    community=community,
                    agreement=float(rng.choice([1.0, 0.6])),
                    raters=int(rng.choice([1, 3])),
                ),  # fmt: skip
            )
        )
    return records


def _all_groups(figures):  # type: ignore[no-untyped-def]
    return [figures.overall, *figures.bands, *figures.slices]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_every_figure_is_in_the_unit_interval_or_na_with_a_reason(records) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figures = compute_eval_figures(PredictionTable.from_records(records), CONFIG)
    for group in _all_groups(figures):
        for m in group.metrics:
            if m.value is None:
                assert m.note, f"{group.name} {m.name} is n/a without a reason"
                continue
            assert 0.0 <= m.value <= 1.0, (group.name, m.name, m.value)
            for bound in (m.lower, m.upper):
                assert bound is None or 0.0 <= bound <= 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_figures_equal_sklearn_and_are_na_exactly_where_sklearn_is_undefined(records) -> None:  # type: ignore[no-untyped-def]
    table = PredictionTable.from_records(records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figures = compute_eval_figures(table, CONFIG)
    members = {"overall": np.arange(len(table))}
    for g in figures.slices:
        dimension, value = g.dimension, g.value
        assert dimension is not None
        members[g.name] = np.array(
            [i for i, v in enumerate(table.slices[dimension]) if value in v], dtype=np.int64
        )
    for group in [figures.overall, *figures.slices]:
        index = members[group.name]
        y, yhat, s = table.gold[index], table.predicted[index], table.scores[index]
        scored = ~np.isnan(s)
        ys, ss = y[scored], s[scored]
        one_class = ys.size == 0 or ys.all() or not ys.any()
        auprc, roc = group.metric("auprc"), group.metric("roc_auc")
        if one_class:
            assert auprc.value is None and roc.value is None
            assert auprc.note and "one class" in auprc.note or auprc.note == "no item with a score"
        else:
            assert auprc.value == pytest.approx(min(1.0, average_precision_score(ys, ss)))
            assert roc.value == pytest.approx(roc_auc_score(ys, ss))
            assert auprc.support == int(ys.sum())
            assert roc.support == min(int(ys.sum()), int((~ys).sum()))
            assert roc.low_support == (roc.support < CONFIG.min_support)
        recall = group.metric("recall")
        if y.any():
            assert recall.value == pytest.approx(recall_score(y, yhat))
            assert recall.support == int(y.sum())
            assert recall.low_support == (recall.support < CONFIG.min_support)
        else:
            assert recall.value is None
        precision = group.metric("precision")
        if yhat.any():
            assert precision.value == pytest.approx(precision_score(y, yhat))
            assert precision.support == int(yhat.sum())
        else:
            assert precision.value is None
        f1 = group.metric("f1")
        if y.any() or yhat.any():
            assert f1.value == pytest.approx(f1_score(y, yhat))
        fpr = group.metric("fpr")
        if (~y).any():
            assert fpr.value == pytest.approx(float((yhat & ~y).sum() / (~y).sum()))
        else:
            assert fpr.value is None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_worst_slices_never_repeat_the_whole_set(records) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figures = compute_eval_figures(PredictionTable.from_records(records), CONFIG)
    for name in figures.worst_slices:
        assert figures.slice(name).n < figures.n_items


def test_one_class_auprc_is_na_not_one() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = point_metrics([1, 1, 1], [1, 0, 1], [0.9, 0.2, 0.4])
    # scikit-learn says 1.0 here whatever the scores: no ranking was tested.
    assert average_precision_score([1, 1, 1], [0.9, 0.2, 0.4]) == 1.0
    assert values["auprc"] is None and values["roc_auc"] is None


def test_criterion_confusion_only_for_enforcers_that_emit_criteria() -> None:
    records = [
        PredictionRecord(item_id=f"i{i}", gold=i % 2 == 0, score=0.9 if i % 2 == 0 else 0.1,
                         predicted=i % 2 == 0, gold_criteria=("slur",) if i % 2 == 0 else ())
        for i in range(20)
    ]  # fmt: skip
    figures = compute_eval_figures(PredictionTable.from_records(records), CONFIG)
    assert figures.criteria == {} and figures.criteria_note
    emitting = [r.model_copy(update={"criteria": r.gold_criteria}) for r in records]
    figures = compute_eval_figures(PredictionTable.from_records(emitting), CONFIG)
    assert figures.criteria["slur"].tp == 10 and figures.criteria_note is None


def test_a_single_rating_is_not_unanimous() -> None:
    assert agreement_level(1.0, raters=1) == "single rating"
    assert agreement_level(1.0, raters=3) == "unanimous"
    assert agreement_level(1.0) == "unanimous"


@pytest.mark.filterwarnings("ignore::modgate.errors.UndefinedMetricWarning")
def test_latency_percentiles_only_from_per_item_times() -> None:
    rng = np.random.default_rng(0)
    per_item = rng.gamma(2.0, 3.0, size=200)
    copied = np.repeat(per_item[:4].mean(), 200)
    batches = np.repeat(rng.gamma(2.0, 3.0, size=4), 50)
    assert latency_basis(per_item) == "per_item"
    assert latency_basis(copied) == "batch" and latency_basis(batches) == "batch"
    assert latency_basis(np.zeros(10)) == "not_measured"
    records = [
        PredictionRecord(item_id=f"i{i}", gold=i % 2 == 0, score=0.5, predicted=False,
                         latency_ms=float(v))
        for i, v in enumerate(batches)
    ]  # fmt: skip
    rel = compute_eval_figures(PredictionTable.from_records(records), CONFIG).reliability
    assert rel.latency_basis == "batch" and rel.latency_ms_p95 is None
    assert rel.latency_ms_mean == pytest.approx(batches.mean())
    pairs = zip(records, per_item, strict=True)
    timed = [r.model_copy(update={"latency_ms": float(v)}) for r, v in pairs]
    rel = compute_eval_figures(PredictionTable.from_records(timed), CONFIG).reliability
    assert rel.latency_ms_p95 == pytest.approx(float(np.percentile(per_item, 95)))
    assert not math.isnan(rel.latency_ms_p50 or math.nan)
