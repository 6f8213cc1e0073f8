"""`rebuild_monitor_rollups`: recompute the monitor roll-ups from the decision log, audited."""

from __future__ import annotations

from modgate.store import Store, rebuild_rollups, record_audit_event


def rebuild_monitor_rollups(store: Store, *, actor: str) -> int:
    """Recompute every roll-up from the decision log in one transaction (audited).

    For a database upgraded to `0030_monitor_rollups`, a log loaded around the decide path
    (imports, bulk loads) or features recorded late (`record_decision_features`); until then
    monitors read the raw log (`rollups_current`).

    Returns:
        Decisions counted.
    """
    with store.begin() as conn:
        counted = rebuild_rollups(conn)
        record_audit_event(
            conn,
            actor=actor,
            action="monitor.rebuild_rollups",
            object_type="monitor_rollups",
            object_id="*",
            details={"decisions": counted},
        )
    return counted
