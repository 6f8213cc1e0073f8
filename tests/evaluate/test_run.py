from __future__ import annotations

import pytest

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    ThresholdTarget,
    compare_runs,
    delete_eval_run,
    get_eval_run,
    list_eval_runs,
    load_predictions,
    run_eval,
    tune_run_thresholds,
)
from modgate.store import Store, list_audit_events, save_items
from tests.evaluate.helpers import GOLDEN, KeywordEnforcer, examples, ref

FAST = FigureConfig(intervals=IntervalConfig(resamples=100), min_support=10)


def test_run_eval_stores_predictions_and_figures_that_read_back(store: Store) -> None:
    enforcer = KeywordEnforcer()
    run = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=examples(),
                   actor="tester", predictor=enforcer, config=FAST, batch_size=50)  # fmt: skip
    assert enforcer.calls == [50, 50, 20]
    again = get_eval_run(store, run.id)
    assert again == run
    assert again.figures.overall.metric("recall").value == 1.0
    predictions = load_predictions(store, run.id)
    assert len(predictions) == 120
    assert {p.slices["community"] for p in predictions} == {("c0",), ("c1",), ("c2",)}
    assert any("allowed_context" in p.slices for p in predictions)
    assert [r.id for r in list_eval_runs(store, enforcer="kw")] == [run.id]
    assert list_eval_runs(store, golden="other") == []
    events = list_audit_events(store, action="eval.run")
    assert events and events[0].object_id == run.id


def test_stored_verdicts_are_reused_and_missing_ones_are_an_error(store: Store) -> None:
    enforcer = KeywordEnforcer()
    items = examples(30)
    stored = {v.item_id: v for v in enforcer.predict([e.item for e in items[:20]])}
    enforcer.calls.clear()
    run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=items, actor="t",
             predictor=enforcer, stored_verdicts=stored, config=FAST)  # fmt: skip
    assert enforcer.calls == [10]
    with pytest.raises(ValidationError, match="no stored verdict for 10 item"):
        run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=items, actor="t",
                 stored_verdicts=stored, config=FAST)  # fmt: skip
    with pytest.raises(ValidationError, match="no items"):
        run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=[], actor="t")


def test_compare_runs_pairs_items_and_refuses_other_golden_versions(store: Store) -> None:
    items = examples()
    save_items(store, [e.item for e in items], actor="t")
    a = KeywordEnforcer("a")
    b = KeywordEnforcer("b", news_bias=0.6)
    run_a = run_eval(store, enforcer=ref(a), golden=GOLDEN, examples=items, actor="t",
                     predictor=a, config=FAST)  # fmt: skip
    run_b = run_eval(store, enforcer=ref(b, "f" * 64), golden=GOLDEN, examples=items, actor="t",
                     predictor=b, config=FAST)  # fmt: skip
    report = compare_runs(store, run_a.id, run_b.id, target_slices=["allowed_context=news"])
    assert report.n_items == 120
    assert report.broken > 0 and report.fixed == 0
    assert report.flipped[0].text and "news" in report.flipped[0].text
    assert report.delta("fpr").delta is not None and report.delta("fpr").delta > 0
    other = GOLDEN.model_copy(update={"version": 2, "content_hash": "h" * 64})
    run_c = run_eval(store, enforcer=ref(a), golden=other, examples=items, actor="t",
                     predictor=a, config=FAST)  # fmt: skip
    with pytest.raises(ConflictError, match="different golden versions"):
        compare_runs(store, run_a.id, run_c.id)


def test_thresholds_from_a_stored_run(store: Store) -> None:
    enforcer = KeywordEnforcer()
    run = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=examples(),
                   actor="t", predictor=enforcer, config=FAST)  # fmt: skip
    plan = tune_run_thresholds(store, run.id, ThresholdTarget(metric="precision", value=0.95),
                               per_community=True, min_support=10)  # fmt: skip
    assert plan.overall.threshold is not None and plan.overall.precision >= 0.95
    assert {r.scope for r in plan.communities} == {"community=c0", "community=c1", "community=c2"}


def test_unknown_and_deleted_runs_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        get_eval_run(store, "run-nope")
    enforcer = KeywordEnforcer()
    run = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=examples(20),
                   actor="t", predictor=enforcer, config=FAST)  # fmt: skip
    delete_eval_run(store, run.id, actor="t")
    with pytest.raises(NotFoundError):
        load_predictions(store, run.id)


class _Stats:
    def __init__(self, items: int) -> None:
        self.items = items
        self.calls = items
        self.call_errors = 0
        self.parse_failures = 1
        self.cost = 0.5
        self.rerun_sample = 10
        self.rerun_agreement = 0.9 if items > 20 else 0.5


class _StatsEnforcer(KeywordEnforcer):
    def predict(self, items):  # type: ignore[no-untyped-def]
        self.last_run_stats = _Stats(len(items))
        return super().predict(items)


def test_run_statistics_an_enforcer_exposes_are_summed_into_reported_figures(
    store: Store,
) -> None:
    enforcer = _StatsEnforcer()
    run = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=examples(40),
                   actor="t", predictor=enforcer, config=FAST, batch_size=30)  # fmt: skip
    reported = get_eval_run(store, run.id).figures.reliability.reported
    assert reported["llm_items"] == 40 and reported["llm_cost"] == 1.0
    assert reported["llm_rerun_agreement"] == pytest.approx(0.7)
    assert reported["llm_parse_failure_rate"] == pytest.approx(2 / 40)


def test_items_without_a_language_get_one_identified_for_the_language_slice(
    store: Store,
) -> None:
    items = [e.model_copy(update={"item": e.item.model_copy(update={"language": None})})
             for e in examples(30)]  # fmt: skip
    enforcer = KeywordEnforcer()
    run = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=items, actor="t",
                   predictor=enforcer, config=FAST)  # fmt: skip
    assert "language=en" in {g.name for g in run.figures.slices}
    plain = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=items, actor="t",
                     predictor=enforcer, config=FAST, guess_language=False)  # fmt: skip
    assert not any(g.dimension == "language" for g in plain.figures.slices)
