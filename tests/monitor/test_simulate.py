"""SIMULATED traffic through the real decide path: determinism, stated model, detection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from modgate.enforce import EnforcerSpec, EnforcerThresholds, register_enforcer
from modgate.monitor import (
    Brigading,
    EvasionWave,
    ModelRegression,
    MonitorConfig,
    SimulationSpec,
    TopicShift,
    TrafficModel,
    load_source,
    plan_traffic,
    run_monitor,
    run_simulation,
)
from modgate.release import deploy
from modgate.store import Store

DATA = Path("/work/shared/data")
ETHOS = DATA / "ethos" / "ethos-binary.jsonl.gz"
TWEETS = DATA / "davidson-hate-offensive" / "davidson-hate-offensive.jsonl.gz"
pytestmark = pytest.mark.skipif(not ETHOS.is_file(), reason="shared data not present")

START = datetime(2026, 11, 1, tzinfo=UTC)
WAVE = START + timedelta(days=5)
SMALL = ("sim-c00030", "sim-c00031")


def _spec(**kw: object) -> SimulationSpec:
    model = TrafficModel(communities=40, items=3000, days=6, authors=300, seed=7, start=START)
    return SimulationSpec.model_validate({"model": model, "source": ETHOS, **kw})


def _scenarios() -> list[object]:
    return [
        EvasionWave(start=WAVE, communities=SMALL, extra_items=40),
        Brigading(start=WAVE, community="sim-c00020", authors=("brig-1", "brig-2"), items=60),
        ModelRegression(start=WAVE, policy="hate", share=0.6),
        TopicShift(start=WAVE, source=TWEETS, share=0.3),
    ]


def test_plan_is_deterministic_and_says_it_is_simulated() -> None:
    texts = load_source(ETHOS)
    extra = {TWEETS: load_source(TWEETS)}
    spec = _spec(scenarios=_scenarios())
    a, b = plan_traffic(spec, texts, extra), plan_traffic(spec, texts, extra)
    assert a == b
    other = plan_traffic(
        spec.model_copy(update={"model": spec.model.model_copy(update={"seed": 8})}), texts, extra
    )
    assert [p.item.body for p in other.items] != [p.item.body for p in a.items]
    assert a.simulated == "SIMULATED" and "SIMULATED" in a.ground_truth["stated_model"]
    assert all(p.item.meta["simulated"] for p in a.items)
    times = [p.item.created_at for p in a.items]
    assert times == sorted(times)
    # Zipf: the top community outweighs the 40th by about 40**1.1 (loosely: sampling noise)
    counts: dict[str, int] = {}
    for p in a.items:
        counts[p.item.community or ""] = counts.get(p.item.community or "", 0) + 1
    assert counts["sim-c00000"] > 10 * counts.get("sim-c00039", 1)
    # every scenario's items fall after its start and where it was aimed
    truth = {e["scenario"]: e for e in a.ground_truth["scenarios"]}
    by_id = {p.item.id: p for p in a.items}
    wave = truth["0:evasion_wave"]
    assert len(wave["item_ids"]) >= 40
    for iid in wave["item_ids"]:
        p = by_id[iid]
        assert p.item.community in SMALL and p.violating and p.item.created_at >= WAVE
        assert p.item.body != ""
    brig = truth["1:brigading"]["item_ids"]
    assert len(brig) == 60 and {by_id[i].item.author_id for i in brig} <= {"brig-1", "brig-2"}
    shifted = truth["3:topic_shift"]["item_ids"]
    assert shifted and all(by_id[i].item.meta["source"] == TWEETS.name for i in shifted)


def test_scenarios_outside_the_period_are_refused() -> None:
    from modgate.errors import ValidationError

    late = EvasionWave(start=START + timedelta(days=30), communities=SMALL)
    with pytest.raises(ValidationError, match="outside the simulated period"):
        plan_traffic(_spec(scenarios=[late]), load_source(ETHOS))


def _deploy_recorded(store: Store, workspace: Path, plan_items: list[tuple[str, bool]]) -> None:
    # a `recorded` enforcer scoring each text by its source label (a perfect-knowledge model)
    path = workspace / "scores.csv"
    path.write_text(
        "item_id,score\n" + "".join(f"{i},{0.95 if bad else 0.05}\n" for i, bad in plan_items),
        "utf-8",
    )
    for name in ("base", "cand", "prev"):
        spec = EnforcerSpec(
            name=name, kind="recorded", policy="hate@1", params={"path": path.name},
            thresholds=EnforcerThresholds(remove=0.8, review=0.5),
        )  # fmt: skip
        register_enforcer(store, spec, workspace=workspace, actor="t")
    why = "test: simulated traffic"
    deploy(store, "base@1", "active", actor="t", force=True, reason=why)
    deploy(store, "cand@1", "canary", actor="t", share=0.3, force=True, reason=why)
    deploy(store, "prev@1", "shadow", actor="t", force=True, reason=why)


def test_simulation_goes_through_decide_and_monitors_detect_each_scenario(
    store: Store, tmp_path: Path
) -> None:
    from modgate.monitor import prepare_plan

    spec = _spec(scenarios=_scenarios())
    plan = prepare_plan(spec)
    _deploy_recorded(store, tmp_path, [(p.item.id, p.violating) for p in plan.items])
    truth_path = tmp_path / "truth.json"
    report = run_simulation(
        store, spec, workspace=tmp_path, actor="t", ground_truth=truth_path, plan=plan
    )
    assert report.simulated == "SIMULATED"
    assert report.decisions == report.items == len(plan.items) == report.featured
    truth = json.loads(truth_path.read_text("utf-8"))
    assert truth["simulated"] == "SIMULATED" and len(truth["scenarios"]) == 4

    config = MonitorConfig.model_validate(
        {
            "name": "sim",
            "scope": {"policy": "hate"},
            "windows": {"current": "24h", "reference": "5d"},
            "checks": [
                {"kind": "action_rate", "params": {"level": 0.01, "min_support": 20}},
                {"kind": "evasion_share", "params": {"level": 0.01, "min_support": 10}},
                {"kind": "emerging_terms", "params": {"min_count": 5}},
            ],
            "severity": "warning",
        }
    )
    canary = MonitorConfig.model_validate(
        {
            "name": "canary",
            "scope": {"policy": "hate@1", "enforcer": "cand@1", "challenger": "prev@1"},
            "windows": {"current": "24h", "reference": "5d"},
            "checks": [{"kind": "disagreement", "params": {"max_rate": 0.1, "min_support": 20}}],
            "severity": "critical",
        }
    )

    def fired(when: datetime) -> set[tuple[str, str]]:
        found = (
            run_monitor(store, config, at=when).fired + run_monitor(store, canary, at=when).fired
        )
        return {(r.check, r.segment) for r in found}

    # the day before the scenarios start: none of them is seen
    before = fired(WAVE)
    assert not {s for c, s in before if c == "evasion_share"} & set(SMALL)
    assert ("action_rate", "sim-c00020") not in before
    assert not [s for c, s in before if c in ("emerging_terms", "disagreement")]
    # the day they start: each is
    during = fired(WAVE + timedelta(days=1))
    assert {("evasion_share", c) for c in SMALL} <= during  # evasion wave
    assert not {s for c, s in during if c == "evasion_share"} - set(SMALL)
    assert ("action_rate", "sim-c00020") in during  # brigading
    assert ("emerging_terms", "rt") in during  # topic shift: the tweets' retweet marker
    assert any(c == "disagreement" for c, _ in during)  # the regressed canary


def test_the_docs_simulation_file_loads(tmp_path: Path) -> None:
    import re

    from modgate.monitor import load_simulation_file

    docs = Path(__file__).resolve().parents[2] / "docs" / "monitor.md"
    block = re.search(r"```yaml\n(# simulations/.*?)```", docs.read_text("utf-8"), re.S)
    assert block is not None
    path = tmp_path / "week.yaml"
    path.write_text(block.group(1), "utf-8")
    spec = load_simulation_file(path)
    assert spec.source == tmp_path / "data" / "ethos-binary.jsonl.gz"
    assert [s.kind for s in spec.scenarios] == ["evasion_wave", "model_regression", "brigading"]
    assert spec.scenarios[0].start.tzinfo is not None and spec.model.communities == 20_000


def test_a_policy_change_and_a_community_surge_are_detected_the_day_they_start(
    store: Store, tmp_path: Path
) -> None:
    from modgate.monitor import CommunitySurge, PolicyChange, prepare_plan

    surged = "sim-c00025"
    spec = _spec(
        scenarios=[
            CommunitySurge(start=WAVE, community=surged, items=150, hours=24),
            PolicyChange(start=WAVE, enforcer="wider@1"),
        ]
    )
    plan = prepare_plan(spec)
    items = [(p.item.id, p.violating) for p in plan.items]
    path = tmp_path / "scores.csv"
    path.write_text(
        "item_id,score\n" + "".join(f"{i},{0.95 if bad else 0.05}\n" for i, bad in items), "utf-8"
    )
    # the new policy wording also covers a stable fifth of what the old one allowed
    wider = tmp_path / "wider.csv"
    wider.write_text(
        "item_id,score\n"
        + "".join(
            f"{i},{0.95 if bad or int(i.encode().hex(), 16) % 5 == 0 else 0.05}\n"
            for i, bad in items
        ),
        "utf-8",
    )
    for name, file in (("base", path), ("wider", wider)):
        spec_e = EnforcerSpec(
            name=name, kind="recorded", policy="hate@1", params={"path": file.name},
            thresholds=EnforcerThresholds(remove=0.8, review=0.5),
        )  # fmt: skip
        register_enforcer(store, spec_e, workspace=tmp_path, actor="t")
    deploy(store, "base@1", "active", actor="t", force=True, reason="test", now=START)
    run_simulation(store, spec, workspace=tmp_path, actor="t", plan=plan)
    truth = {e["scenario"]: e for e in plan.ground_truth["scenarios"]}
    assert len(truth["0:community_surge"]["item_ids"]) == 150
    assert truth["1:policy_change"]["item_ids"]

    policy = MonitorConfig.model_validate(
        {
            "name": "policy",
            "scope": {"policy": "hate", "segment_by": "none"},
            "windows": {"current": "24h", "reference": "5d"},
            "checks": [{"kind": "action_rate", "params": {"level": 0.01}}],
        }
    )
    volume = MonitorConfig.model_validate(
        {
            "name": "volume",
            "scope": {"policy": "hate"},
            "windows": {"current": "24h", "reference": "5d"},
            "checks": [{"kind": "volume_surge", "params": {"level": 0.01, "min_support": 10}}],
        }
    )
    for when, expect in ((WAVE, False), (WAVE + timedelta(days=1), True)):
        changed = run_monitor(store, policy, at=when)
        assert any(r.check == "action_rate" for r in changed.fired) is expect
        surges = {r.segment for r in run_monitor(store, volume, at=when).fired}
        assert surges == ({surged} if expect else set())
    # the policy change's alert names the deployment the simulator made at its start
    [alert] = run_monitor(store, policy, at=WAVE + timedelta(days=1)).alerts
    from modgate.release import current_deployment

    assert alert.deployment_id == current_deployment(store, "hate").id  # type: ignore[union-attr]
