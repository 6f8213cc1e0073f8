from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from modgate.domain import Action
from modgate.enforce import list_decisions, list_verdicts
from modgate.errors import NotFoundError, ValidationError
from modgate.release import (
    decide,
    deploy,
    deployment_impact,
    list_reversals,
    mark_reversals_applied,
    reverse_deployment,
    rollback,
)
from modgate.store import Store, list_audit_events

from .deploy_helpers import World, add_report, build_world


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    w = build_world(store, tmp_path, n=90)
    for version in (w.lenient, w.strict, w.harsh):
        add_report(store, version, w.golden)
    return w


def _live_then_rolled_back(world: World) -> str:
    """lenient active; strict promoted and used; rolled back to lenient. Returns strict's id."""
    deploy(world.store, world.lenient.ref, "active", actor="t", gate_path=world.gate)
    ids = [i.id for i in world.items]
    decide(world.store, ids, workspace=world.workspace, actor="t")  # lenient verdicts stored
    bad = deploy(world.store, world.strict.ref, "active", actor="t", gate_path=world.gate)
    decide(world.store, ids, workspace=world.workspace, actor="t")
    rollback(world.store, "hate", actor="oncall", reason="strict over-removes")
    return bad.deployment.id


def test_impact_counts_match_the_stored_decisions(world: World) -> None:
    bad = _live_then_rolled_back(world)
    impact = deployment_impact(world.store, bad, sample=3)
    items = {i.id: i for i in world.items}
    under = [d for d in list_decisions(world.store) if d.deployments[0].deployment_id == bad]
    expected = Counter((d.action.value, items[d.item_id].community) for d in under)
    got = {(c.action, c.community): c.count for c in impact.counts}
    assert got == dict(expected)
    assert impact.decisions == 90 and impact.policy == "hate"
    assert impact.actions == dict(sorted(Counter(d.action.value for d in under).items()))
    per_action = Counter(s.action for s in impact.samples)
    assert all(n <= 3 for n in per_action.values()) and "allow" not in per_action
    assert {s.action for s in impact.samples} == set(impact.actions) - {"allow"}


def test_reversal_previews_then_writes_once_and_is_audited(world: World) -> None:
    bad = _live_then_rolled_back(world)
    strict = {v.item_id: v.action for v in list_verdicts(world.store, enforcer="strict")}
    lenient = {v.item_id: v.action for v in list_verdicts(world.store, enforcer="lenient")}
    removed = {i for i, a in strict.items() if a is Action.REMOVE}
    assert removed
    preview = reverse_deployment(
        world.store, bad, reason="strict over-removes", actor="oncall", only=["remove"],
        dry_run=True,
    )  # fmt: skip
    assert preview.dry_run and preview.written == 0 and preview.candidates == len(removed)
    assert list_reversals(world.store) == []
    done = reverse_deployment(
        world.store, bad, reason="strict over-removes", actor="oncall", only=["remove"]
    )
    assert done.written == len(removed) and done.by_kind == preview.by_kind
    records = list_reversals(world.store, deployment_id=bad)
    assert {r.item_id for r in records} == removed
    for record in records:
        # restore exactly when the enforcer active now (lenient) allows the item
        want = "restore" if lenient[record.item_id] is Action.ALLOW else "re_review"
        assert record.kind == want and record.taken_action == "remove"
        assert record.reason == "strict over-removes" and record.created_by == "oncall"
    second = reverse_deployment(
        world.store, bad, reason="strict over-removes", actor="oncall", only=["remove"]
    )
    assert second.written == 0 and second.already_reversed == len(removed)
    assert len(list_reversals(world.store)) == len(removed)
    actions = [e.action for e in list_audit_events(world.store, object_type="deployment")]
    assert actions.count("deploy.reverse") == 2 and actions.count("deploy.reverse_preview") == 1


def test_reversal_of_all_actions_and_applying_them(world: World) -> None:
    bad = _live_then_rolled_back(world)
    strict = Counter(v.action.value for v in list_verdicts(world.store, enforcer="strict"))
    done = reverse_deployment(world.store, bad, reason="bad version", actor="oncall")
    assert done.by_action == {a: n for a, n in strict.items() if a != "allow"}
    pending = list_reversals(world.store, pending=True)
    marked = mark_reversals_applied(
        world.store, bad, [r.decision_id for r in pending[:5]], actor="integration"
    )
    assert marked == 5
    assert len(list_reversals(world.store, pending=True)) == len(pending) - 5


def test_reversal_refuses_bad_input(world: World) -> None:
    bad = _live_then_rolled_back(world)
    with pytest.raises(ValidationError, match="reason"):
        reverse_deployment(world.store, bad, reason="", actor="t")
    with pytest.raises(ValidationError, match="--only"):
        reverse_deployment(world.store, bad, reason="x", actor="t", only=["delete"])
    with pytest.raises(NotFoundError):
        reverse_deployment(world.store, "dep-nope-1", reason="x", actor="t")
