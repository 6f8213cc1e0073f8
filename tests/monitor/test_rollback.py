"""Alerts name the deployment that changed near their start; critical monitors roll it back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce import EnforcerSpec, EnforcerThresholds, register_enforcer
from modgate.monitor import (
    MonitorConfig,
    get_alert,
    get_incident,
    list_alerts,
    resolve_incident,
    run_monitor,
)
from modgate.release import current_deployment, deploy
from modgate.store import Store, list_audit_events

from .conftest import AT, Traffic, seed

CANARY = {
    "name": "canary",
    "scope": {"policy": "harassment", "enforcer": "clf@1", "challenger": "clf@2"},
    "windows": {"current": "24h", "reference": "14d"},
    "checks": [{"kind": "disagreement", "params": {"max_rate": 0.1, "min_support": 20}}],
    "severity": "critical",
    "auto_rollback": True,
    "rollback_cooldown": "6h",
}


def _register(store: Store, workspace: Path) -> None:
    # the verdicts are seeded directly (conftest); the catalog needs the versions to deploy
    path = workspace / "scores.csv"
    path.write_text("item_id,score\ni1,0.9\n", "utf-8")
    for remove in (0.8, 0.7):  # clf@1, clf@2
        spec = EnforcerSpec(
            name="clf", kind="recorded", policy="harassment", params={"path": path.name},
            thresholds=EnforcerThresholds(remove=remove, review=0.5),
        )  # fmt: skip
        register_enforcer(store, spec, workspace=workspace, actor="t")


def _deploy(store: Store, ref: str, stage: str, when: object, **kw: object) -> str:
    result = deploy(store, ref, stage, actor="t", force=True, reason="test", now=when, **kw)  # type: ignore[arg-type]
    return result.deployment.id


def test_a_critical_alert_links_the_canary_and_rolls_it_back_once(
    store: Store, tmp_path: Path
) -> None:
    seed(store, Traffic(canary_flip={"c2": 0.6}))
    _register(store, tmp_path)
    first = _deploy(store, "clf@1", "active", AT - timedelta(days=10))
    canary = _deploy(store, "clf@2", "canary", AT - timedelta(hours=20), share=0.2)
    config = MonitorConfig.model_validate(CANARY)

    report = run_monitor(store, config, at=AT)
    [alert] = [a for a in report.alerts if a.segment == "c2"]
    assert alert.deployment_id == canary
    stored = get_alert(store, alert.alert_id)
    assert stored.deployment_id == canary and stored.deployment is not None
    assert stored.deployment["canary"] == "clf@2" and stored.deployment["changed_near"]
    # rolled back: a new record restores the state before the canary
    [rb] = report.rollbacks
    assert rb.status == "rolled_back" and rb.deployment_id == canary
    now = current_deployment(store, "harassment")
    assert now is not None and now.id == rb.restored_to and now.restored_id == first
    assert now.state.canary is None and now.state.active is not None
    # recorded on an incident opened from the alert, and audited
    incident = get_incident(store, rb.incident_id or 0)
    assert incident.alert_id == alert.alert_id
    [action] = [e for e in incident.events if e.kind == "action"]
    assert action.details["action"] == "rollback" and action.details["automatic"] is True
    assert action.details["from"] == canary and action.details["restored"] == first
    audited = [e for e in list_audit_events(store) if e.action == "monitor.auto_rollback"]
    assert len(audited) == 1 and audited[0].object_id == "harassment"

    # the canary comes back an hour later; the analyst resolved the incident, so a new alert
    # links the new canary record — but the cool-down refuses a second rollback within 6 h
    resolve_incident(store, incident.id, "rolled back", actor="t", at=AT + timedelta(minutes=30))
    again = _deploy(store, "clf@2", "canary", AT + timedelta(hours=1), share=0.2)
    report = run_monitor(store, config, at=AT + timedelta(hours=2))
    [rb] = report.rollbacks
    assert rb.status == "cooling_down" and rb.deployment_id == again
    assert current_deployment(store, "harassment").id == again  # type: ignore[union-attr]
    # after the cool-down the recurring critical alert rolls it back
    report = run_monitor(store, config, at=AT + timedelta(hours=7))
    [rb] = report.rollbacks
    assert rb.status == "rolled_back" and rb.deployment_id == again
    assert current_deployment(store, "harassment").state.canary is None  # type: ignore[union-attr]
    assert len([e for e in list_audit_events(store) if e.action == "monitor.auto_rollback"]) == 2


def test_no_link_when_nothing_changed_near_the_alert_and_no_rollback(
    store: Store, tmp_path: Path
) -> None:
    seed(store, Traffic(canary_flip={"c2": 0.6}))
    _register(store, tmp_path)
    _deploy(store, "clf@1", "active", AT - timedelta(days=10))
    canary = _deploy(store, "clf@2", "canary", AT - timedelta(days=9), share=0.2)
    report = run_monitor(store, MonitorConfig.model_validate(CANARY), at=AT)
    [alert] = list_alerts(store)
    assert alert.deployment_id is None  # in effect, but not changed near the alert's start
    assert alert.deployment is not None and alert.deployment["deployment_id"] == canary
    assert not alert.deployment["changed_near"]
    assert [r.status for r in report.rollbacks] == ["no_link"]
    assert current_deployment(store, "harassment").id == canary  # type: ignore[union-attr]


def test_a_warning_monitor_links_but_never_rolls_back(store: Store, tmp_path: Path) -> None:
    seed(store, Traffic(canary_flip={"c2": 0.6}))
    _register(store, tmp_path)
    _deploy(store, "clf@1", "active", AT - timedelta(days=10))
    canary = _deploy(store, "clf@2", "canary", AT - timedelta(hours=3), share=0.2)
    config = MonitorConfig.model_validate({**CANARY, "severity": "warning", "auto_rollback": False})
    report = run_monitor(store, config, at=AT)
    assert [a.deployment_id for a in report.alerts] == [canary]
    assert report.rollbacks == [] and current_deployment(store, "harassment").id == canary  # type: ignore[union-attr]


def test_auto_rollback_needs_a_critical_monitor_and_a_duration() -> None:
    with pytest.raises(PydanticValidationError, match="needs a critical monitor"):
        MonitorConfig.model_validate({**CANARY, "severity": "warning"})
    with pytest.raises(PydanticValidationError, match="duration"):
        MonitorConfig.model_validate({**CANARY, "rollback_cooldown": "soon"})
    ok = {**CANARY, "severity": "warning"}
    ok["checks"] = [{**CANARY["checks"][0], "severity": "critical"}]  # type: ignore[index]
    assert MonitorConfig.model_validate(ok).auto_rollback


def test_cli_shows_the_link_and_the_automatic_rollback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from .test_cli import _run

    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    store = Store.from_url(f"sqlite:///{ws / 'modgate.db'}")
    try:
        seed(store, Traffic(canary_flip={"c2": 0.6}))
        _register(store, ws)
        _deploy(store, "clf@1", "active", AT - timedelta(days=10))
        canary = _deploy(store, "clf@2", "canary", AT - timedelta(hours=20), share=0.2)
    finally:
        store.close()
    (ws / "monitors" / "canary.yaml").write_text(yaml.safe_dump(CANARY))
    code, _, err = _run(capsys, "-C", str(ws), "monitor", "run", "--at", "2026-11-20T00:00:00Z")
    assert code == 0, err
    assert "automatic rollback for alert 1: rolled_back (harassment → dep-harassment-3" in err
    code, out, _ = _run(capsys, "-C", str(ws), "alert", "list", "--status", "all")
    assert code == 0 and "deployment_id" in out and canary in out
    code, out, _ = _run(capsys, "-C", str(ws), "incident", "show", "1")
    assert code == 0 and f"deployment {canary} (set canary clf@2" in out
    assert f"modgate incident blast-radius {canary}" in out and "rollback" in out
