from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import DeploymentError, StaleReportError, ValidationError
from modgate.release import (
    current_deployment,
    deploy,
    deployment_history,
    deployments_changed,
    load_deployment_snapshot,
    refresh_snapshot,
    rollback,
)
from modgate.store import Store, list_audit_events

from .deploy_helpers import GATE_TEXT, World, add_report, build_world, freeze_golden


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path, n=12)


def _deploy(world: World, ref: str, stage: str = "active", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("gate_path", world.gate)
    return deploy(world.store, ref, stage, actor="tester", **kw)


def test_deploy_without_any_report_is_refused(world: World) -> None:
    with pytest.raises(DeploymentError, match="no gate report"):
        _deploy(world, world.lenient.ref)
    assert current_deployment(world.store, "hate") is None


def test_deploy_needs_the_gate_file_unless_forced(world: World) -> None:
    add_report(world.store, world.lenient, world.golden)
    with pytest.raises(ValidationError, match="--gates"):
        deploy(world.store, world.lenient.ref, "active", actor="tester")


def test_report_for_another_enforcer_version_is_refused(world: World) -> None:
    report = add_report(world.store, world.strict, world.golden)
    with pytest.raises(DeploymentError, match="no gate report for lenient@1"):
        _deploy(world, world.lenient.ref)
    with pytest.raises(StaleReportError, match="enforcer version hash"):
        _deploy(world, world.lenient.ref, report_id=report.id)


def test_report_for_another_golden_version_is_refused(world: World) -> None:
    other = freeze_golden(world.store, world.workspace, "other")
    add_report(world.store, world.lenient, world.golden)
    with pytest.raises(DeploymentError, match="golden version hash"):
        _deploy(world, world.lenient.ref, golden=other.ref)
    assert _deploy(world, world.lenient.ref, golden=world.golden.ref).changed


def test_report_for_another_gate_file_is_refused(world: World) -> None:
    add_report(world.store, world.lenient, world.golden)
    world.gate.write_text(GATE_TEXT.replace("0.5", "0.4"), "utf-8")  # the bar was lowered
    with pytest.raises(DeploymentError, match="gate file hash"):
        _deploy(world, world.lenient.ref)


def test_no_go_report_is_refused(world: World) -> None:
    report = add_report(world.store, world.lenient, world.golden, passed=False)
    with pytest.raises(DeploymentError, match="no-go"):
        _deploy(world, world.lenient.ref)
    with pytest.raises(StaleReportError, match="no-go"):
        _deploy(world, world.lenient.ref, report_id=report.id)


def test_passing_report_deploys_and_is_audited(world: World) -> None:
    report = add_report(world.store, world.lenient, world.golden)
    result = _deploy(world, world.lenient.ref)
    assert result.changed and result.report is not None and result.report.id == report.id
    dep = result.deployment
    assert dep.id == "dep-hate-1" and dep.policy == "hate" and dep.seq == 1
    assert dep.state.active is not None and dep.state.active.enforcer == "lenient@1"
    assert dep.state.active.report_id == report.id
    assert dep.state.active.version_hash == world.lenient.version_hash
    events = list_audit_events(world.store, action="deploy.set")
    assert [e.object_id for e in events] == [dep.id]
    assert events[0].details["report"] == report.id and events[0].details["forced"] is False
    again = _deploy(world, world.lenient.ref)
    assert not again.changed and again.deployment.id == dep.id
    assert len(list_audit_events(world.store, action="deploy.set")) == 1


def test_force_needs_a_reason_and_is_audited(world: World) -> None:
    with pytest.raises(ValidationError, match="reason"):
        deploy(world.store, world.lenient.ref, "active", actor="tester", force=True)
    result = deploy(
        world.store, world.lenient.ref, "active", actor="oncall", force=True,
        reason="hotfix: old enforcer crashes",
    )  # fmt: skip
    active = result.deployment.state.active
    assert active is not None and active.forced and active.report_id is None
    assert result.deployment.forced and result.deployment.reason == "hotfix: old enforcer crashes"
    event = list_audit_events(world.store, action="deploy.set")[0]
    assert event.actor == "oncall" and event.details["forced"] is True
    assert event.details["reason"] == "hotfix: old enforcer crashes"


def _three_steps(world: World):  # type: ignore[no-untyped-def]
    for version in (world.lenient, world.strict, world.harsh):
        add_report(world.store, version, world.golden)
    d1 = _deploy(world, world.lenient.ref).deployment
    d2 = _deploy(world, world.strict.ref, "shadow").deployment
    d3 = _deploy(world, world.harsh.ref, "canary", share=0.25).deployment
    return d1, d2, d3


def test_rollback_restores_exactly_the_previous_state_step_by_step(world: World) -> None:
    d1, d2, d3 = _three_steps(world)
    assert d3.state.canary is not None and d3.state.canary.share == 0.25
    r1 = rollback(world.store, "hate", actor="oncall", reason="canary alert fired")
    assert r1.state == d2.state and r1.restored_id == d2.id and r1.change == "rollback"
    assert current_deployment(world.store, "hate") == r1
    r2 = rollback(world.store, "hate", actor="oncall", reason="shadow too")
    assert r2.state == d1.state and r2.restored_id == d1.id
    with pytest.raises(DeploymentError, match="nothing to roll back"):
        rollback(world.store, "hate", actor="oncall", reason="again")
    events = list_audit_events(world.store, action="deploy.rollback")
    assert {e.details["reason"] for e in events} == {"canary alert fired", "shadow too"}
    assert [d.id for d in deployment_history(world.store, "hate")] == [
        d1.id, d2.id, d3.id, r1.id, r2.id,
    ]  # fmt: skip


def test_rollback_to_a_named_deployment_and_refusals(world: World) -> None:
    d1, _, d3 = _three_steps(world)
    restored = rollback(world.store, "hate", actor="t", reason="back to basics", to=d1.id)
    assert restored.state == d1.state
    with pytest.raises(ValidationError):
        rollback(world.store, "hate", actor="t", reason=" ")
    with pytest.raises(DeploymentError, match="already the current"):
        rollback(world.store, "hate", actor="t", reason="x", to=restored.id)
    # rolling back the rollback returns to what was current before it
    undone = rollback(world.store, "hate", actor="t", reason="undo", to=d3.id)
    assert undone.state == d3.state and undone.state.canary == d3.state.canary


def test_snapshot_sees_changes_cheaply(world: World) -> None:
    add_report(world.store, world.lenient, world.golden)
    add_report(world.store, world.strict, world.golden)
    _deploy(world, world.lenient.ref)
    snapshot = load_deployment_snapshot(world.store)
    assert not deployments_changed(world.store, snapshot)
    assert refresh_snapshot(world.store, snapshot) is snapshot
    _deploy(world, world.strict.ref, "shadow")
    assert deployments_changed(world.store, snapshot)
    fresh = refresh_snapshot(world.store, snapshot)
    assert fresh.deployments["hate"].id == "dep-hate-2"
    assert set(fresh.policies) == {"hate@1"}
