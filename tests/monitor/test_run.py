from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import ConflictError, ValidationError
from modgate.monitor import (
    MonitorConfig,
    RetryPolicy,
    ack_alert,
    add_incident_note,
    get_alert,
    get_incident,
    list_alerts,
    list_deliveries,
    load_monitor_file,
    open_incident,
    record_decision_features,
    resolve_incident,
    run_monitor,
)
from modgate.store import Store

from .conftest import AT, Traffic, seed

MONITOR = {
    "name": "harassment",
    "scope": {"policy": "harassment", "enforcer": "clf@1", "challenger": "clf@2"},
    "windows": {"current": "24h", "reference": "14d"},
    "checks": [
        {"kind": "action_rate", "params": {"level": 0.01, "min_support": 20}},
        {"kind": "evasion_share", "params": {"level": 0.01, "min_support": 20}},
        {"kind": "disagreement", "params": {"max_rate": 0.1, "min_support": 20}},
        {"kind": "score_drift", "params": {"statistic": "psi", "min_support": 20}},
        {"kind": "emerging_terms", "params": {"min_count": 5}},
        {"kind": "label_free", "threshold": 0.5, "params": {"min_precision": 0.5}},
    ],
    "severity": "warning",
    "notify": ["https://hooks.example/modgate"],
}


def _no_wait() -> RetryPolicy:
    return RetryPolicy(attempts=3, sleep=lambda _s: None)


class FlakySender:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[str] = []

    def __call__(self, url: str, body: bytes, timeout: float) -> int:
        self.calls.append(url)
        if self.failures > 0:
            self.failures -= 1
            raise OSError("connection refused")
        return 204


def test_monitor_run_raises_the_injected_scenarios_only(store: Store) -> None:
    seed(
        store,
        Traffic(
            surge={"c0": 4.0},
            evasion={"c1"},
            canary_flip={"c2": 0.5},
            new_term=("c3", "zorblax"),
        ),
    )
    assert record_decision_features(store) == 20 * 30 * 15
    config = MonitorConfig.model_validate(MONITOR)
    sender = FlakySender(failures=2)
    report = run_monitor(store, config, at=AT, sender=sender, retry=_no_wait())
    fired = {(r.check, r.segment) for r in report.fired}
    assert ("action_rate", "c0") in fired
    assert ("evasion_share", "c1") in fired
    assert ("disagreement", "c2") in fired
    assert ("emerging_terms", "zorblax") in fired
    assert not {s for c, s in fired if c == "action_rate"} - {"c0"}
    assert not {s for c, s in fired if c == "evasion_share"} - {"c1"}
    assert not {s for c, s in fired if c == "disagreement"} - {"c2"}
    # alerts: one per fired result, with evidence that names the SQL and the windows
    alerts = list_alerts(store, status="open")
    assert len(alerts) == len(report.fired)
    a = next(x for x in alerts if x.check == "action_rate")
    assert a.segment == "c0" and "SELECT" in a.evidence["sql"]["reference_and_current"].upper()
    assert a.evidence["k_current"] > a.evidence["n_current"] * 0.2
    assert a.evidence["windows"]["current"][1].startswith("2026-11-20")
    term = next(x for x in alerts if x.check == "emerging_terms")
    assert len(term.evidence["examples"]) == 3
    # webhooks: two refused connections, then delivered; every attempt counted
    deliveries = list_deliveries(store)
    assert len(deliveries) == len(alerts)
    assert all(d.status == "delivered" for d in deliveries)
    assert sum(d.attempts for d in deliveries) == len(deliveries) + 2

    # a second run deduplicates: same alerts, occurrences 2, nothing new to deliver
    again = run_monitor(store, config, at=AT, sender=sender, retry=_no_wait())
    assert all(not x.new for x in again.alerts)
    assert len(list_alerts(store)) == len(alerts)
    assert get_alert(store, a.id).occurrences == 2


def test_failed_webhooks_are_kept_and_retried_by_the_next_run(store: Store) -> None:
    seed(store, Traffic(surge={"c0": 4.0}))
    config = MonitorConfig.model_validate(
        {**MONITOR, "checks": [MONITOR["checks"][0]], "scope": {}}
    )
    down = FlakySender(failures=10**6)
    report = run_monitor(store, config, at=AT, sender=down, retry=_no_wait())
    assert report.failing == 1 and report.delivered == 0
    [d] = list_deliveries(store)
    assert d.status == "failed" and d.attempts == 3 and "connection refused" in d.last_error
    up = FlakySender(failures=0)
    report = run_monitor(store, config, at=AT, sender=up, retry=_no_wait())
    [d] = list_deliveries(store)
    assert d.status == "delivered" and d.attempts == 4 and report.delivered == 1


def test_incident_flow_from_alert_to_resolution(store: Store) -> None:
    seed(store, Traffic(surge={"c0": 4.0}))
    config = MonitorConfig.model_validate(
        {**MONITOR, "checks": [MONITOR["checks"][0]], "scope": {}, "notify": []}
    )
    run_monitor(store, config, at=AT)
    [alert] = list_alerts(store)
    assert ack_alert(store, alert.id, actor="ana").status == "acked"
    inc = open_incident(store, from_alert=alert.id, actor="ana")
    assert inc.title == alert.title and inc.severity == "warning"
    with pytest.raises(ConflictError):
        open_incident(store, from_alert=alert.id, actor="ana")
    add_incident_note(store, inc.id, "c0 brigaded from an outside forum", actor="ana")
    add_incident_note(
        store,
        inc.id,
        "routed c0 to review",
        actor="ana",
        action="route_to_review",
        details={"community": "c0"},
    )
    done = resolve_incident(store, inc.id, "brigade over", actor="ana")
    assert [e.kind for e in done.events] == ["opened", "note", "action", "resolved"]
    assert done.events[2].details == {"community": "c0", "action": "route_to_review"}
    assert get_alert(store, alert.id).status == "resolved"
    with pytest.raises(ConflictError):
        add_incident_note(store, inc.id, "late", actor="ana")
    # the alert is no longer live: the still-firing check raises a new one
    again = run_monitor(store, config, at=AT)
    assert [x.new for x in again.alerts] == [True]
    assert get_incident(store, inc.id).status == "resolved"


def test_monitor_file_errors_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("checks:\n  - kind: action_rate\n    levle: 2\nscope: {enforcer: clf}\n")
    with pytest.raises(ValidationError) as err:
        load_monitor_file(path)
    assert "bad.yaml" in err.value.message
    assert "checks[0].levle" in err.value.message and "scope.enforcer" in err.value.message
    assert "bad.yaml:3:5:" in err.value.message  # the one authoring format: file:line:col
    ok = tmp_path / "fine.yaml"
    ok.write_text("checks:\n  - kind: action_rate\n")
    assert load_monitor_file(ok).name == "fine"


def test_scores_without_an_enforcer_is_a_clear_error(store: Store) -> None:
    config = MonitorConfig.model_validate({"name": "x", "checks": [{"kind": "score_drift"}]})
    with pytest.raises(ValidationError, match="scope.enforcer"):
        run_monitor(store, config, at=AT)


@pytest.mark.parametrize(
    ("stored", "scope", "challenger", "fires"),
    [
        ("harassment@3", "harassment", None, True),  # bare id in the scope: every version
        ("harassment@3", "harassment@3", None, True),
        ("harassment@3", "harassment@2", None, False),  # another version: not this scope's
        ("harassment", "harassment", None, True),
        ("harassment@1", "harassment", "harassment@2", True),  # challenger on a newer version
    ],
)
def test_scope_policy_matches_verdicts_stored_with_a_version(
    store: Store, stored: str, scope: str, challenger: str | None, fires: bool
) -> None:
    # verdicts store the policy as the enforcer spec names it, `id` or `id@version`
    seed(
        store,
        Traffic(
            surge={"c0": 4.0},
            canary_flip={"c2": 0.5},
            verdict_policy=stored,
            challenger_policy=challenger,
        ),
    )
    config = MonitorConfig.model_validate(
        {
            **MONITOR,
            "scope": {"policy": scope, "enforcer": "clf@1", "challenger": "clf@2"},
            "checks": [MONITOR["checks"][0], MONITOR["checks"][2]],
            "notify": [],
        }
    )
    report = run_monitor(store, config, at=AT)
    fired = {(r.check, r.segment) for r in report.fired}
    assert (("action_rate", "c0") in fired) is fires
    assert (("disagreement", "c2") in fired) is fires
    assert report.results > 0 or not fires
