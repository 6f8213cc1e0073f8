"""Automatic rollback when a critical alert of a monitor with `auto_rollback: true` fires.

The alert must link to a deployment that changed near its start (`deployment_link`) and that is
still the policy's current one; no automatic rollback of the same policy happened within the
monitor's `rollback_cooldown` (any monitor: the audit log is the record). The rollback is the
release package's own (`modgate.release.rollback`: a new deployment record restoring the
previous state, audited), followed by the incident (opened from the alert if it has none) with
the rollback recorded as an action, and a `monitor.auto_rollback` audit event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modgate.errors import ConflictError, DeploymentError, NotFoundError
from modgate.monitor._config import MonitorConfig, parse_duration
from modgate.monitor._repo import (
    add_incident_note,
    get_alert,
    last_auto_rollback,
    open_incident,
    record_auto_rollback,
)
from modgate.store import Store

RollbackStatus = Literal["rolled_back", "cooling_down", "not_current", "no_link", "failed"]


class AutoRollback(BaseModel):
    """What an automatic rollback did (or why it did not) for one critical alert."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert_id: int
    """The critical alert."""
    status: RollbackStatus
    """rolled_back, or why not: cooling_down, not_current (changed since), no_link, failed."""
    policy: str | None = None
    """The policy rolled back."""
    deployment_id: str | None = None
    """The deployment the alert links to (the one rolled back)."""
    restored_to: str | None = None
    """The deployment record the rollback created."""
    incident_id: int | None = None
    """The incident the rollback is recorded on."""
    detail: str = ""
    """Why, in words."""


def auto_rollback(
    store: Store, config: MonitorConfig, alert_ids: list[int], *, at: datetime
) -> list[AutoRollback]:
    """Roll back the deployments critical alerts link to (one per policy per run).

    Args:
        store: The store.
        config: The monitor (its `auto_rollback` must be on).
        alert_ids: Alerts this run raised or updated with severity critical.
        at: The run time (the rollback's time, and the cool-down's reference).

    Returns:
        One outcome per alert.
    """
    from modgate.release import current_deployment, rollback

    actor = f"monitor:{config.name}"
    cooldown = parse_duration(config.rollback_cooldown)
    out: list[AutoRollback] = []
    for alert_id in alert_ids:
        alert = get_alert(store, alert_id)
        link = alert.deployment or {}
        if alert.deployment_id is None or not link:
            out.append(
                AutoRollback(
                    alert_id=alert_id,
                    status="no_link",
                    detail="no deployment changed near the alert's start: nothing to roll back",
                )
            )
            continue
        policy = str(link["policy"])
        base = {"alert_id": alert_id, "policy": policy, "deployment_id": alert.deployment_id}
        current = current_deployment(store, policy)
        if current is None or current.id != alert.deployment_id:
            out.append(
                AutoRollback(
                    **base,
                    status="not_current",
                    detail=f"{alert.deployment_id} is no longer {policy}'s current deployment "
                    f"({current.id if current else 'none'})",
                )
            )
            continue
        last = last_auto_rollback(store, policy, since=at - cooldown)
        if last is not None:
            out.append(
                AutoRollback(
                    **base,
                    status="cooling_down",
                    detail=f"{policy} was rolled back automatically at {last.isoformat()}, "
                    f"within the cool-down of {config.rollback_cooldown}",
                )
            )
            continue
        reason = f"automatic rollback by monitor {config.name}: alert {alert_id} ({alert.title})"
        try:
            restored = rollback(store, policy, actor=actor, reason=reason, now=at)
        except (ConflictError, DeploymentError, NotFoundError) as exc:
            out.append(AutoRollback(**base, status="failed", detail=str(exc)))
            continue
        incident_id = alert.incident_id
        if incident_id is None:
            incident_id = open_incident(store, actor=actor, from_alert=alert_id, at=at).id
        details = {
            "automatic": True,
            "policy": policy,
            "from": alert.deployment_id,
            "restored": restored.restored_id,
            "deployment_id": restored.id,
            "alert_id": alert_id,
            "cooldown": config.rollback_cooldown,
        }
        add_incident_note(
            store,
            incident_id,
            f"rolled back {policy}: {alert.deployment_id} → {restored.restored_id} "
            f"(new record {restored.id})",
            actor=actor,
            action="rollback",
            details=details,
            at=at,
        )
        record_auto_rollback(store, policy=policy, actor=actor, details=details, at=at)
        out.append(
            AutoRollback(
                **base,
                status="rolled_back",
                restored_to=restored.id,
                incident_id=incident_id,
                detail=reason,
            )
        )
    return out
