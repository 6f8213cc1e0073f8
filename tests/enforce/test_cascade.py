from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from modgate.domain import Action, Item, Verdict
from modgate.enforce import (
    CascadeEnforcer,
    CascadeStage,
    EnforcerKind,
    EnforcerSpec,
    KindContext,
    action_for_score,
    enforcer_kinds,
)
from modgate.enforce._cascade import ScoreBand
from modgate.errors import ConfigError
from modgate.registry import Registry
from modgate.testing import FakeLLMServer, check_enforcer


class ScoreTable:
    """A stage that scores items from a table (unknown ids fail), with a per-verdict cost."""

    def __init__(self, name: str, scores: dict[str, float], cost: float = 0.0) -> None:
        self._spec = EnforcerSpec(name=name, kind="table", policy="p@1", version=1)
        self.scores = scores
        self.cost = cost
        self.seen: list[str] = []

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        out = []
        for item in items:
            self.seen.append(item.id)
            if item.id not in self.scores:
                out.append(Verdict.failed(item.id, "p@1", self._spec.ref, "no score"))
                continue
            score = self.scores[item.id]
            out.append(
                Verdict(
                    item_id=item.id,
                    policy="p@1",
                    enforcer=self._spec.ref,
                    score=score,
                    label="violating" if score >= 0.5 else "non_violating",
                    action=action_for_score(score, self._spec.thresholds),
                    cost=self.cost,
                    latency_ms=1.0,
                )
            )
        return out


ITEMS = [Item(id=i, body=i) for i in ("a", "b", "c", "d")]
SPEC = EnforcerSpec(name="casc", kind="cascade", policy="p@1", version=2)


def test_only_the_uncertain_band_reaches_the_next_stage() -> None:
    cheap = ScoreTable("cheap", {"a": 0.05, "b": 0.5, "c": 0.97, "d": 0.4})
    costly = ScoreTable("costly", {"b": 0.9, "d": 0.1}, cost=0.01)
    cascade = CascadeEnforcer(
        SPEC,
        stages=[CascadeStage(cheap, ScoreBand(low=0.2, high=0.8)), CascadeStage(costly)],
    )
    verdicts = cascade.predict(ITEMS)
    assert costly.seen == ["b", "d"]
    assert [v.action for v in verdicts] == [
        Action.ALLOW,
        Action.REMOVE,
        Action.REMOVE,
        Action.ALLOW,
    ]
    assert all(v.enforcer == "casc@2" for v in verdicts)
    assert verdicts[1].rationale.startswith("[costly@1]")
    assert verdicts[1].cost == pytest.approx(0.01) and verdicts[1].latency_ms == 2.0
    report = cascade.last_report
    assert report is not None
    assert [(s.items, s.share, s.escalated) for s in report.stages] == [(4, 1.0, 2), (2, 0.5, 0)]
    assert report.cost == pytest.approx(0.02)


def test_still_uncertain_after_the_last_stage_goes_to_review() -> None:
    cheap = ScoreTable("cheap", {"a": 0.5, "b": 0.0, "c": 0.0, "d": 0.0})
    last = ScoreTable("last", {"a": 0.45})
    cascade = CascadeEnforcer(
        SPEC,
        stages=[
            CascadeStage(cheap, ScoreBand(low=0.3, high=0.7)),
            CascadeStage(last, ScoreBand(low=0.3, high=0.7)),
        ],
    )
    verdicts = cascade.predict(ITEMS)
    assert verdicts[0].action is Action.REVIEW and verdicts[0].error is None
    assert "uncertain after the last stage" in verdicts[0].rationale
    assert cascade.last_report is not None and cascade.last_report.uncertain_to_review == 1


def test_a_failed_stage_escalates_and_a_failed_last_stage_reviews() -> None:
    first = ScoreTable("first", {"a": 0.0, "b": 0.0})  # fails on c and d
    last = ScoreTable("last", {"c": 0.9})  # fails on d
    verdicts = CascadeEnforcer(SPEC, stages=[CascadeStage(first), CascadeStage(last)]).predict(
        ITEMS
    )
    assert verdicts[2].action is Action.REMOVE and verdicts[2].error is None
    assert verdicts[3].action is Action.REVIEW and verdicts[3].error is not None


def test_cascade_passes_the_conformance_battery() -> None:
    everything = {i.id: 0.3 for i in [*ITEMS]}
    stage = ScoreTable("s", everything)
    check_enforcer(CascadeEnforcer(SPEC, stages=[CascadeStage(stage)]))


def test_cascade_is_built_from_its_spec_with_an_llm_stage(fake_llm: FakeLLMServer) -> None:
    registry = Registry()
    for name, kind in enforcer_kinds().items():
        registry.register("enforcer", name, kind)
    table = EnforcerKind("table", build=lambda spec, ctx: ScoreTable("t", {"x": 0.5, "y": 0.0}))
    registry.register("enforcer", "table", table)
    llm: dict[str, Any] = {
        "name": "judge",
        "kind": "llm",
        "policy": "p@1",
        "params": {"model": "fake-judge", "base_url": fake_llm.base_url, "prompt": "P"},
    }
    spec = EnforcerSpec(
        name="casc",
        kind="cascade",
        policy="p@1",
        params={
            "stages": [
                {"spec": {"name": "t", "kind": "table", "policy": "p@1"},
                 "escalate": {"low": 0.2, "high": 0.8}},
                {"spec": llm},
            ]
        },
    )  # fmt: skip
    cascade = CascadeEnforcer(spec, context=KindContext(registry=registry, environ={}))
    verdicts = cascade.predict([Item(id="x", body="you idiot"), Item(id="y", body="hello")])
    assert [v.action for v in verdicts] == [Action.REMOVE, Action.ALLOW]
    assert fake_llm.request_count == 1
    assert cascade.last_report is not None and cascade.last_report.stages[1].share == 0.5
    assert cascade.last_run_stats is not None and cascade.last_run_stats.items == 1
    cascade.predict([Item(id="y", body="hello")])  # nothing reaches the LLM this time
    assert cascade.last_run_stats is None


def test_bad_cascade_params_name_the_problem() -> None:
    spec = EnforcerSpec(name="c", kind="cascade", policy="p", params={"stages": []})
    with pytest.raises(ConfigError, match="params.stages"):
        CascadeEnforcer(spec, context=KindContext(registry=Registry()))


def test_band_bounds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="above high"):
        ScoreBand(low=0.8, high=0.2)
