"""Persistence of the monitor package: findings, alerts, deliveries, incidents, features.

The only module of `monitor` that touches the database; it receives the store and returns typed
records, and holds the aggregate queries behind `run_monitor` (aggregation pushed into SQL).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, func, insert, select, update

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.store import (
    Store,
    alert_deliveries,
    alerts,
    decision_features,
    incident_events,
    incidents,
    monitor_findings,
    record_audit_event,
    review_outcomes,
)

Severity = Literal["info", "warning", "critical"]
AlertStatus = Literal["open", "acked", "resolved"]
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlertRecord(_Frozen):
    """A stored alert: one live alert per (monitor, check, segment), updated while it recurs."""

    id: int
    """Alert id."""
    monitor: str
    """Monitor that raised it."""
    check: str
    """Check that fired."""
    segment: str
    """Segment (community, term, `*`)."""
    severity: str
    """info, warning or critical."""
    status: str
    """open, acked or resolved."""
    title: str
    """One-line summary."""
    occurrences: int
    """Monitor runs in which it fired while live."""
    first_seen_at: datetime
    """First run that raised it."""
    last_seen_at: datetime
    """Latest run that raised it."""
    acked_by: str | None
    """Who acknowledged it."""
    incident_id: int | None
    """Incident opened from it."""
    evidence: dict[str, Any]
    """Figures, windows, top examples and the SQL that reproduces it."""
    deployment_id: str | None = None
    """The deployment whose change, near the alert's start, likely caused it (None: none)."""
    deployment: dict[str, Any] | None = None
    """That link's details (`DeploymentLink`), or the deployment in effect when none changed."""


class DeploymentLink(_Frozen):
    """The deployment in effect over an alert's window, and whether it changed near its start."""

    deployment_id: str
    """Deployment record id (`dep-POLICY-SEQ`)."""
    policy: str
    """Its policy."""
    change: str
    """`set` or `rollback`."""
    stage: str | None
    """Stage the change set (`active`, `canary`, `shadow`, `off`; None for a rollback)."""
    enforcer: str | None
    """Enforcer the change set (None for a rollback)."""
    active: str | None
    """Active enforcer in effect."""
    canary: str | None
    """Canary in effect."""
    changed_at: datetime
    """When the change was made."""
    changed_near: bool
    """Whether it was made within one current-window length before the window, or in it."""


class DeliveryRecord(_Frozen):
    """One alert's delivery to one webhook target, with every attempt counted."""

    id: int
    """Delivery id."""
    alert_id: int
    """The alert delivered."""
    target: str
    """Webhook URL."""
    status: str
    """pending, delivered or failed (failed ones are retried by the next run)."""
    attempts: int
    """HTTP attempts so far."""
    last_http_status: int | None
    """Status of the last attempt."""
    last_error: str | None
    """Error of the last failed attempt."""
    payload: dict[str, Any]
    """The JSON body sent."""


class IncidentEvent(_Frozen):
    """One entry of an incident's log: opened, note, action, resolved."""

    at: datetime
    """When."""
    actor: str
    """Who."""
    kind: str
    """opened, note, action or resolved."""
    text: str
    """What was said or done."""
    details: dict[str, Any]
    """Structured details of an action (e.g. the rollback target)."""


class IncidentRecord(_Frozen):
    """A stored incident with its log."""

    id: int
    """Incident id."""
    title: str
    """Title."""
    severity: str
    """Severity (from the alert when opened from one)."""
    status: str
    """open or resolved."""
    alert_id: int | None
    """The alert it was opened from."""
    opened_at: datetime
    """When it was opened."""
    opened_by: str
    """Who opened it."""
    resolved_at: datetime | None
    """When it was resolved."""
    resolution: str | None
    """How it was resolved."""
    events: list[IncidentEvent]
    """The log, oldest first."""


def finite_json(value: Any) -> Any:
    """A JSON-safe copy: NaN and infinities become None (JSONB refuses them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return finite_json(value.item())
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- findings ------------------------------------------------------------------------------


def write_findings(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert finding rows (columns of `monitor_findings`) in the caller's transaction."""
    if not rows:
        return 0
    clean = [
        {
            **r,
            "value": finite_json(r.get("value")),
            "p_value": finite_json(r.get("p_value")),
            "q_value": finite_json(r.get("q_value")),
            "evidence": finite_json(r["evidence"]),
        }
        for r in rows
    ]
    conn.execute(insert(monitor_findings), clean)
    return len(clean)


def count_findings(store: Store, *, run_id: str | None = None, fired: bool | None = None) -> int:
    """Number of stored findings, optionally of one run or only fired ones."""
    q = select(func.count()).select_from(monitor_findings)
    if run_id is not None:
        q = q.where(monitor_findings.c.run_id == run_id)
    if fired is not None:
        q = q.where(monitor_findings.c.fired == fired)
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


# --- alerts --------------------------------------------------------------------------------


def _alert(row: Any) -> AlertRecord:
    return AlertRecord(
        id=row["id"],
        monitor=row["monitor"],
        check=row["check_name"],
        segment=row["segment"],
        severity=row["severity"],
        status=row["status"],
        title=row["title"],
        occurrences=row["occurrences"],
        first_seen_at=_aware(row["first_seen_at"]),
        last_seen_at=_aware(row["last_seen_at"]),
        acked_by=row["acked_by"],
        incident_id=row["incident_id"],
        evidence=row["evidence"] or {},
        deployment_id=row["deployment_id"],
        deployment=row["deployment"],
    )


def deployment_link(
    conn: Connection,
    *,
    policy: str | None,
    window_start: datetime,
    window_end: datetime,
) -> DeploymentLink | None:
    """The deployment in effect at the end of a window, for an alert raised over it.

    The candidates are the deployment records of `policy` (its id; every policy when None)
    dated before `window_end`; the last one written is in effect (with several policies, the
    most recent change). It counts as *changed near* the alert when it is dated in the window
    or within one window length before it (a canary deployed yesterday, a new active version
    this morning). None when no deployment exists.
    """
    from modgate.store import deployments as dep

    stmt = select(dep).where(dep.c.created_at < window_end)
    if policy is not None:
        stmt = stmt.where(dep.c.policy == policy.split("@", 1)[0])
    # the last record written (the history's order, as `current_deployment` reads it) among
    # those dated before the window's end
    stmt = stmt.order_by(dep.c.serial.desc()).limit(1)
    row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    state = row["state"] or {}
    changed = _aware(row["created_at"])
    assert changed is not None
    return DeploymentLink(
        deployment_id=row["id"],
        policy=row["policy"],
        change=row["change"],
        stage=row["stage"],
        enforcer=row["enforcer"],
        active=(state.get("active") or {}).get("enforcer"),
        canary=(state.get("canary") or {}).get("enforcer"),
        changed_at=changed,
        changed_near=changed >= window_start - (window_end - window_start),
    )


def upsert_alert(
    conn: Connection,
    *,
    monitor: str,
    check: str,
    segment: str,
    severity: str,
    title: str,
    evidence: dict[str, Any],
    at: datetime,
    deployment: DeploymentLink | None = None,
) -> tuple[AlertRecord, bool]:
    """Raise an alert, or update the live one with the same key (deduplication).

    A new alert stores `deployment` (its `deployment_id` only when the deployment changed near
    the alert's start); a recurrence keeps the link the alert was raised with.

    Returns:
        The alert and whether it is new (a new alert is delivered; a recurrence is not).
    """
    key = f"{monitor}\x1f{check}\x1f{segment}"
    live = conn.execute(select(alerts).where(alerts.c.live_key == key)).mappings().first()
    if live is not None:
        rank = max(SEVERITIES.index(live["severity"]), SEVERITIES.index(severity))
        conn.execute(
            update(alerts)
            .where(alerts.c.id == live["id"])
            .values(
                last_seen_at=at,
                occurrences=live["occurrences"] + 1,
                evidence=finite_json(evidence),
                severity=SEVERITIES[rank],
                title=title,
            )
        )
        row = conn.execute(select(alerts).where(alerts.c.id == live["id"])).mappings().one()
        return _alert(row), False
    new_id = conn.execute(
        insert(alerts)
        .values(
            dedup_key=key,
            live_key=key,
            monitor=monitor,
            check_name=check,
            segment=segment,
            severity=severity,
            status="open",
            title=title,
            evidence=finite_json(evidence),
            first_seen_at=at,
            last_seen_at=at,
            occurrences=1,
            deployment_id=(
                deployment.deployment_id
                if deployment is not None and deployment.changed_near
                else None
            ),
            deployment=deployment.model_dump(mode="json") if deployment is not None else None,
        )
        .returning(alerts.c.id)
    ).scalar_one()
    row = conn.execute(select(alerts).where(alerts.c.id == new_id)).mappings().one()
    return _alert(row), True


def list_alerts(
    store: Store,
    *,
    status: str | None = None,
    monitor: str | None = None,
    limit: int = 100,
) -> list[AlertRecord]:
    """Alerts, most recently seen first (`status`: open, acked, resolved or `live`)."""
    q = select(alerts).order_by(alerts.c.last_seen_at.desc(), alerts.c.id.desc()).limit(limit)
    if status == "live":
        q = q.where(alerts.c.status.in_(["open", "acked"]))
    elif status is not None:
        if status not in ("open", "acked", "resolved"):
            raise ValidationError(f"--status: {status!r} is not one of open, acked, resolved, live")
        q = q.where(alerts.c.status == status)
    if monitor is not None:
        q = q.where(alerts.c.monitor == monitor)
    with store.connect() as conn:
        return [_alert(r) for r in conn.execute(q).mappings()]


def get_alert(store: Store, alert_id: int) -> AlertRecord:
    """One alert.

    Raises:
        NotFoundError: No alert has this id.
    """
    with store.connect() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no alert {alert_id}", hint="modgate alert list")
    return _alert(row)


def ack_alert(
    store: Store, alert_id: int, *, actor: str, at: datetime | None = None
) -> AlertRecord:
    """Acknowledge an open alert (it stays live: recurrences update it, nothing new is sent).

    Raises:
        NotFoundError: No alert has this id.
        ConflictError: The alert is resolved.
    """
    when = at or datetime.now(UTC)
    with store.begin() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no alert {alert_id}", hint="modgate alert list")
        if row["status"] == "resolved":
            raise ConflictError(f"alert {alert_id} is resolved; it cannot be acknowledged")
        conn.execute(
            update(alerts)
            .where(alerts.c.id == alert_id)
            .values(status="acked", acked_by=actor, acked_at=when)
        )
        record_audit_event(
            conn,
            actor=actor,
            action="alert.ack",
            object_type="alert",
            object_id=str(alert_id),
            at=when,
        )
    return get_alert(store, alert_id)


def _resolve_alert(conn: Connection, alert_id: int) -> None:
    conn.execute(
        update(alerts).where(alerts.c.id == alert_id).values(status="resolved", live_key=None)
    )


# --- deliveries ----------------------------------------------------------------------------


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=row["id"],
        alert_id=row["alert_id"],
        target=row["target"],
        status=row["status"],
        attempts=row["attempts"],
        last_http_status=row["last_http_status"],
        last_error=row["last_error"],
        payload=row["payload"] or {},
    )


def create_delivery(
    conn: Connection, *, alert_id: int, target: str, payload: dict[str, Any], at: datetime
) -> int:
    """Record a pending delivery before sending it, so a crash never loses it."""
    return int(
        conn.execute(
            insert(alert_deliveries)
            .values(
                alert_id=alert_id,
                target=target,
                status="pending",
                attempts=0,
                created_at=at,
                updated_at=at,
                payload=finite_json(payload),
            )
            .returning(alert_deliveries.c.id)
        ).scalar_one()
    )


def record_delivery_attempt(
    store: Store,
    delivery_id: int,
    *,
    delivered: bool,
    http_status: int | None,
    error: str | None,
    final: bool,
    at: datetime | None = None,
) -> None:
    """Count one attempt; `final` failures stay `failed` until a later run retries them."""
    status = "delivered" if delivered else ("failed" if final else "pending")
    with store.begin() as conn:
        conn.execute(
            update(alert_deliveries)
            .where(alert_deliveries.c.id == delivery_id)
            .values(
                status=status,
                attempts=alert_deliveries.c.attempts + 1,
                last_http_status=http_status,
                last_error=error,
                updated_at=at or datetime.now(UTC),
            )
        )


def list_deliveries(
    store: Store, *, status: Iterable[str] | None = None, alert_id: int | None = None
) -> list[DeliveryRecord]:
    """Deliveries, oldest first, optionally by status or alert."""
    q = select(alert_deliveries).order_by(alert_deliveries.c.id)
    if status is not None:
        q = q.where(alert_deliveries.c.status.in_(list(status)))
    if alert_id is not None:
        q = q.where(alert_deliveries.c.alert_id == alert_id)
    with store.connect() as conn:
        return [_delivery(r) for r in conn.execute(q).mappings()]


# --- incidents -----------------------------------------------------------------------------


def _add_event(
    conn: Connection,
    incident_id: int,
    *,
    actor: str,
    kind: str,
    text: str,
    details: dict[str, Any] | None,
    at: datetime,
) -> None:
    conn.execute(
        insert(incident_events).values(
            incident_id=incident_id,
            at=at,
            actor=actor,
            kind=kind,
            text=text,
            details=finite_json(details or {}),
        )
    )
    record_audit_event(
        conn,
        actor=actor,
        action=f"incident.{kind}",
        object_type="incident",
        object_id=str(incident_id),
        details={"text": text, **(details or {})},
        at=at,
    )


AUTO_ROLLBACK = "monitor.auto_rollback"
"""Audit action of an automatic rollback (object: the policy); the cool-down reads it."""


def record_auto_rollback(
    store: Store, *, policy: str, actor: str, details: dict[str, Any], at: datetime
) -> None:
    """Audit an automatic rollback of a policy."""
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action=AUTO_ROLLBACK,
            object_type="policy",
            object_id=policy,
            details=finite_json(details),
            at=at,
        )


def last_auto_rollback(store: Store, policy: str, *, since: datetime) -> datetime | None:
    """When the policy was last rolled back automatically, if at or after `since`."""
    from modgate.store import audit_events as ev

    stmt = select(func.max(ev.c.at)).where(
        ev.c.action == AUTO_ROLLBACK,
        ev.c.object_type == "policy",
        ev.c.object_id == policy,
        ev.c.at >= since,
    )
    with store.connect() as conn:
        found = conn.execute(stmt).scalar_one_or_none()
    return _aware(found)


def open_incident(
    store: Store,
    *,
    actor: str,
    title: str | None = None,
    from_alert: int | None = None,
    severity: str | None = None,
    at: datetime | None = None,
) -> IncidentRecord:
    """Open an incident, optionally from an alert (which it then points at and acknowledges).

    Raises:
        NotFoundError: The alert does not exist.
        ConflictError: The alert already has an incident.
        ValidationError: Neither a title nor an alert, or an unknown severity.
    """
    when = at or datetime.now(UTC)
    with store.begin() as conn:
        alert_row = None
        if from_alert is not None:
            alert_row = (
                conn.execute(select(alerts).where(alerts.c.id == from_alert)).mappings().first()
            )
            if alert_row is None:
                raise NotFoundError(f"no alert {from_alert}", hint="modgate alert list")
            if alert_row["incident_id"] is not None:
                raise ConflictError(
                    f"alert {from_alert} already has incident {alert_row['incident_id']}"
                )
        if title is None:
            if alert_row is None:
                raise ValidationError("an incident needs --title or --from-alert")
            title = str(alert_row["title"])
        sev = severity or (str(alert_row["severity"]) if alert_row is not None else "warning")
        if sev not in SEVERITIES:
            raise ValidationError(f"severity {sev!r} is not one of {', '.join(SEVERITIES)}")
        incident_id = int(
            conn.execute(
                insert(incidents)
                .values(
                    title=title,
                    severity=sev,
                    status="open",
                    alert_id=from_alert,
                    opened_at=when,
                    opened_by=actor,
                )
                .returning(incidents.c.id)
            ).scalar_one()
        )
        details: dict[str, Any] = {}
        if alert_row is not None:
            conn.execute(
                update(alerts)
                .where(alerts.c.id == from_alert)
                .values(
                    incident_id=incident_id,
                    status="acked" if alert_row["status"] == "open" else alert_row["status"],
                    acked_by=alert_row["acked_by"] or actor,
                    acked_at=alert_row["acked_at"] or when,
                )
            )
            details = {"alert_id": from_alert, "evidence": alert_row["evidence"]}
        _add_event(
            conn, incident_id, actor=actor, kind="opened", text=title, details=details, at=when
        )
    return get_incident(store, incident_id)


def add_incident_note(
    store: Store,
    incident_id: int,
    text: str,
    *,
    actor: str,
    action: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentRecord:
    """Add a note, or an action taken (`action` = rollback, thresholds, route_to_review, …).

    Raises:
        NotFoundError: No such incident.
        ConflictError: The incident is resolved.
    """
    when = at or datetime.now(UTC)
    with store.begin() as conn:
        status = conn.execute(
            select(incidents.c.status).where(incidents.c.id == incident_id)
        ).scalar_one_or_none()
        if status is None:
            raise NotFoundError(f"no incident {incident_id}", hint="modgate incident list")
        if status == "resolved":
            raise ConflictError(f"incident {incident_id} is resolved")
        payload = dict(details or {})
        if action is not None:
            payload["action"] = action
        _add_event(
            conn,
            incident_id,
            actor=actor,
            kind="action" if action else "note",
            text=text,
            details=payload,
            at=when,
        )
    return get_incident(store, incident_id)


def resolve_incident(
    store: Store,
    incident_id: int,
    resolution: str,
    *,
    actor: str,
    at: datetime | None = None,
) -> IncidentRecord:
    """Resolve an incident and the alert it came from (a recurrence then raises a new alert).

    Raises:
        NotFoundError: No such incident.
        ConflictError: Already resolved.
    """
    when = at or datetime.now(UTC)
    with store.begin() as conn:
        row = (
            conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
        )
        if row is None:
            raise NotFoundError(f"no incident {incident_id}", hint="modgate incident list")
        if row["status"] == "resolved":
            raise ConflictError(f"incident {incident_id} is already resolved")
        conn.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(status="resolved", resolved_at=when, resolved_by=actor, resolution=resolution)
        )
        if row["alert_id"] is not None:
            _resolve_alert(conn, int(row["alert_id"]))
        _add_event(
            conn, incident_id, actor=actor, kind="resolved", text=resolution, details={}, at=when
        )
    return get_incident(store, incident_id)


def get_incident(store: Store, incident_id: int) -> IncidentRecord:
    """One incident with its log.

    Raises:
        NotFoundError: No such incident.
    """
    with store.connect() as conn:
        row = (
            conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
        )
        if row is None:
            raise NotFoundError(f"no incident {incident_id}", hint="modgate incident list")
        events = conn.execute(
            select(incident_events)
            .where(incident_events.c.incident_id == incident_id)
            .order_by(incident_events.c.id)
        ).mappings()
        log = [
            IncidentEvent(
                at=_aware(e["at"]) or datetime.now(UTC),
                actor=e["actor"],
                kind=e["kind"],
                text=e["text"],
                details=e["details"] or {},
            )
            for e in events
        ]
    return _incident(row, log)


def _incident(row: Any, events: list[IncidentEvent]) -> IncidentRecord:
    return IncidentRecord(
        id=row["id"],
        title=row["title"],
        severity=row["severity"],
        status=row["status"],
        alert_id=row["alert_id"],
        opened_at=_aware(row["opened_at"]),
        opened_by=row["opened_by"],
        resolved_at=_aware(row["resolved_at"]),
        resolution=row["resolution"],
        events=events,
    )


def list_incidents(
    store: Store, *, status: str | None = None, limit: int = 100
) -> list[IncidentRecord]:
    """Incidents, newest first (without their logs; `show` has them)."""
    q = select(incidents).order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit)
    if status is not None:
        if status not in ("open", "resolved"):
            raise ValidationError(f"--status: {status!r} is not one of open, resolved")
        q = q.where(incidents.c.status == status)
    with store.connect() as conn:
        return [_incident(r, []) for r in conn.execute(q).mappings()]


# --- decision features and review outcomes --------------------------------------------------


def write_review_outcomes(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows of `review_outcomes` (the review queue and appeals call this)."""
    if not rows:
        return 0
    conn.execute(insert(review_outcomes), list(rows))
    return len(rows)


# --- aggregate queries of monitor runs ------------------------------------------------------
# Aggregation happens in SQL: a run over 5M decisions moves one row per (segment[, bin]).


class WindowQuery(_Frozen):
    """What a window query selects: the scope of a monitor and the time range."""

    start: datetime
    """Window start (inclusive)."""
    end: datetime
    """Window end (exclusive)."""
    policy: str | None = None
    """Verdicts' policy (with `enforcer`)."""
    enforcer: str | None = None
    """`name@version` whose verdicts are read."""
    challenger: str | None = None
    """`name@version` compared with `enforcer`."""
    communities: list[str] | None = None
    """Only these communities."""
    by_community: bool = True
    """Group by community (else one segment `*`)."""


def policy_matches(column: Any, policy: str) -> Any:
    """SQL condition: a stored policy (`id` or `id@version`) is the scope's `policy`.

    Verdicts store the policy as their enforcer's spec names it: `harassment` or
    `harassment@3`. A scope naming the bare id matches every version of it; one naming a version
    matches that version only.
    """
    from sqlalchemy import or_

    if "@" in policy:
        return column == policy
    return or_(column == policy, column.startswith(policy + "@", autoescape=True))


def _split_ref(ref: str) -> tuple[str, int]:
    name, _, version = ref.rpartition("@")
    return name, int(version)


def render_sql(store: Store, statement: Any) -> str:
    """The statement as SQL text with its parameters inlined (for an alert's evidence)."""
    dialect = store.engine.dialect
    try:
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # some literal types have no renderer: show binds separately
        compiled = statement.compile(dialect=dialect)
        params = {k: str(v) for k, v in compiled.params.items()}
        return f"{compiled}\n-- params: {json_dumps(params)}"


def json_dumps(value: Any) -> str:
    """Compact JSON for evidence text."""
    import json

    return json.dumps(value, default=str, sort_keys=True)


def _base(q: WindowQuery, verdicts_needed: bool) -> tuple[Any, Any, Any, list[Any], Any, Any]:
    """(join, segment expression, verdicts alias, conditions, decisions alias, items alias)."""
    from modgate.store import decisions, items, verdicts

    d, i = decisions.alias("d"), items.alias("i")
    joined = d.join(i, i.c.id == d.c.item_id)
    v = None
    where: list[Any] = [d.c.decided_at >= q.start, d.c.decided_at < q.end]
    if verdicts_needed:
        if q.enforcer is None:
            raise ValidationError("this check needs scope.enforcer (name@version)")
        name, version = _split_ref(q.enforcer)
        v = verdicts.alias("v")
        cond = [v.c.item_id == d.c.item_id, v.c.enforcer == name, v.c.enforcer_version == version]
        if q.policy is not None:
            cond.append(policy_matches(v.c.policy, q.policy))
        from sqlalchemy import and_

        joined = joined.join(v, and_(*cond))
    if q.communities is not None:
        where.append(i.c.community.in_(q.communities))
    seg = func.coalesce(i.c.community, "") if q.by_community else None
    return joined, seg, v, where, d, i


def _segment(seg: Any) -> Any:
    from sqlalchemy import literal

    return (seg if seg is not None else literal("*")).label("segment")


def fetch_rates(
    store: Store,
    q: WindowQuery,
    *,
    measure: str = "action",
    actions: Sequence[str] = ("remove",),
) -> tuple[list[str], list[int], list[int], str]:
    """Events and observations per segment in a window, counted in SQL.

    `measure`: `action` (decisions — or the enforcer's verdicts — whose action is in
    `actions`), `evasion` / `caught_after_normalization` (from `decision_features`), `overturn`
    (from `review_outcomes`).

    Returns:
        (segments, events, observations, the SQL that reproduces them).
    """
    from sqlalchemy import Integer, and_, case, cast

    if measure == "overturn":
        r = review_outcomes.alias("r")
        seg = func.coalesce(r.c.community, "") if q.by_community else None
        where = [r.c.reviewed_at >= q.start, r.c.reviewed_at < q.end]
        if q.policy is not None:
            where.append(policy_matches(r.c.policy, q.policy))
        if q.communities is not None:
            where.append(r.c.community.in_(q.communities))
        event = cast(case((r.c.overturned, 1), else_=0), Integer)
        stmt = select(_segment(seg), func.sum(event).label("k"), func.count().label("n")).where(
            and_(*where)
        )
    else:
        joined, seg, v, where, d, _i = _base(q, verdicts_needed=q.enforcer is not None)
        if measure == "action":
            source = v.c.action if v is not None else d.c.action
            event = cast(case((source.in_(list(actions)), 1), else_=0), Integer)
        elif measure in ("evasion", "caught_after_normalization"):
            f = decision_features.alias("f")
            joined = joined.join(f, f.c.decision_id == d.c.decision_id)
            column = (
                f.c.normalization_changed
                if measure == "evasion"
                else f.c.caught_after_normalization
            )
            event = cast(case((column, 1), else_=0), Integer)
        else:
            raise ValidationError(f"unknown measure {measure!r}")
        stmt = (
            select(_segment(seg), func.sum(event).label("k"), func.count().label("n"))
            .select_from(joined)
            .where(and_(*where))
        )
    if seg is not None:
        stmt = stmt.group_by(seg)
    with store.connect() as conn:
        rows = [r for r in conn.execute(stmt) if r.n]
    return (
        [str(r.segment) for r in rows],
        [int(r.k or 0) for r in rows],
        [int(r.n) for r in rows],
        render_sql(store, stmt),
    )


def fetch_histograms(
    store: Store, q: WindowQuery, *, bins: int
) -> tuple[list[str], list[list[int]], str]:
    """Score histograms (equal-width bins over [0, 1]) per segment of the enforcer's verdicts."""
    from sqlalchemy import Integer, and_, case, cast

    joined, seg, v, where, _d, _i = _base(q, verdicts_needed=True)
    assert v is not None
    if store.dialect == "postgresql":
        raw_bin = cast(func.floor(v.c.score * bins), Integer)
    else:  # SQLite's CAST truncates toward zero, which is floor for scores ≥ 0
        raw_bin = cast(v.c.score * bins, Integer)
    b = case((v.c.score >= 1.0, bins - 1), else_=raw_bin).label("bin")
    stmt = (
        select(_segment(seg), b, func.count().label("n"))
        .select_from(joined)
        .where(and_(*where))
        .group_by(*([seg] if seg is not None else []), b)
    )
    out: dict[str, list[int]] = {}
    with store.connect() as conn:
        for r in conn.execute(stmt):
            row = out.setdefault(str(r.segment), [0] * bins)
            row[min(max(int(r.bin), 0), bins - 1)] += int(r.n)
    keys = sorted(out)
    return keys, [out[k] for k in keys], render_sql(store, stmt)


def fetch_disagreement(
    store: Store, q: WindowQuery
) -> tuple[list[str], list[int], list[int], list[int], str]:
    """Paired counts per segment: items both enforcers decided, only-active, only-challenger."""
    from sqlalchemy import Integer, and_, case, cast

    from modgate.store import verdicts

    if q.challenger is None:
        raise ValidationError("the disagreement check needs scope.challenger (name@version)")
    joined, seg, v, where, _d, _i = _base(q, verdicts_needed=True)
    assert v is not None
    name, version = _split_ref(q.challenger)
    c = verdicts.alias("c")
    # the challenger may judge another version of the policy (`hate@2` beside `hate@1`)
    same_policy = (
        policy_matches(c.c.policy, q.policy) if q.policy is not None else c.c.policy == v.c.policy
    )
    cond = [c.c.item_id == v.c.item_id, same_policy, c.c.enforcer == name]
    joined = joined.join(c, and_(*cond, c.c.enforcer_version == version))
    a_flag = v.c.action != "allow"
    c_flag = c.c.action != "allow"
    only_a = cast(case((and_(a_flag, ~c_flag), 1), else_=0), Integer)
    only_c = cast(case((and_(c_flag, ~a_flag), 1), else_=0), Integer)
    stmt = (
        select(
            _segment(seg),
            func.count().label("n"),
            func.sum(only_a).label("a"),
            func.sum(only_c).label("c"),
        )
        .select_from(joined)
        .where(and_(*where))
    )
    if seg is not None:
        stmt = stmt.group_by(seg)
    with store.connect() as conn:
        rows = list(conn.execute(stmt))
    rows = [r for r in rows if r.n]
    return (
        [str(r.segment) for r in rows],
        [int(r.n) for r in rows],
        [int(r.a or 0) for r in rows],
        [int(r.c or 0) for r in rows],
        render_sql(store, stmt),
    )


def fetch_texts(store: Store, q: WindowQuery, *, limit: int) -> tuple[list[str], list[str], str]:
    """Item ids and texts (title and body) of the window's most recent decisions."""
    from sqlalchemy import and_

    joined, _seg, _v, where, d, i = _base(q, verdicts_needed=q.enforcer is not None)
    stmt = (
        select(i.c.id, i.c.title, i.c.body)
        .select_from(joined)
        .where(and_(*where))
        .order_by(d.c.decided_at.desc())
        .limit(limit)
    )
    with store.connect() as conn:
        rows = list(conn.execute(stmt))
    return (
        [str(r.id) for r in rows],
        [" ".join(x for x in (r.title, r.body) if x) for r in rows],
        render_sql(store, stmt),
    )


def fetch_score_sums(
    store: Store, q: WindowQuery, *, threshold: float
) -> tuple[dict[str, float], str]:
    """Counts and Σ s, Σ s² above and below the threshold of the enforcer's verdicts."""
    from sqlalchemy import Float, Integer, and_, case, cast

    joined, _seg, v, where, _d, _i = _base(q, verdicts_needed=True)
    assert v is not None
    hi = v.c.score >= threshold
    stmt = (
        select(
            func.count().label("n"),
            func.sum(cast(case((hi, 1), else_=0), Integer)).label("n_flagged"),
            func.sum(case((hi, v.c.score), else_=0.0)).label("s_hi"),
            func.sum(case((hi, v.c.score * v.c.score), else_=0.0)).label("s2_hi"),
            func.sum(case((hi, 0.0), else_=v.c.score)).label("s_lo"),
            func.sum(case((hi, 0.0), else_=cast(v.c.score * v.c.score, Float))).label("s2_lo"),
        )
        .select_from(joined)
        .where(and_(*where))
    )
    with store.connect() as conn:
        r = conn.execute(stmt).one()
    return (
        {
            "n": int(r.n or 0),
            "n_flagged": int(r.n_flagged or 0),
            "sum_flagged": float(r.s_hi or 0.0),
            "sum_sq_flagged": float(r.s2_hi or 0.0),
            "sum_unflagged": float(r.s_lo or 0.0),
            "sum_sq_unflagged": float(r.s2_lo or 0.0),
        },
        render_sql(store, stmt),
    )


class WindowTable(_Frozen):
    """One pass over both windows: per (segment, window) counts, and score histograms."""

    segments: list[str]
    """Segment of each row."""
    window: list[int]
    """0 = reference, 1 = current."""
    n: list[int]
    """Decisions."""
    events: dict[str, list[int]]
    """Events per measure key: `action:remove,review`, `evasion`, `caught_after_normalization`."""
    n_featured: list[int]
    """Decisions with recorded features (the denominator of the evasion measures)."""
    histograms: list[list[int]] | None
    """Score histogram per row (when an enforcer is in scope)."""
    sql: str
    """The query."""


class WindowSlots:
    """Per (segment, window) accumulators of a `WindowTable`, filled row by row.

    The one way a `WindowTable` is assembled, from the decision log (`fetch_window_table`) or
    from the roll-ups and their raw edges (`_rollup_read`).
    """

    def __init__(self, action_sets: Sequence[Sequence[str]], width: int) -> None:
        self.event_keys = ["action:" + ",".join(acts) for acts in action_sets]
        """The measure key of each action set, in order."""
        self._width = width
        self._acc: dict[tuple[str, int], dict[str, Any]] = {}

    def slot(self, segment: str, win: int) -> dict[str, Any]:
        """The accumulator of (segment, window), created empty on first use.

        Keys: `n`, `a` (one count per action set), `nf`, `ev`, `ca` and `h` (the histogram).
        """
        found = self._acc.get((segment, win))
        if found is None:
            found = self._acc[(segment, win)] = {
                "n": 0,
                "a": [0] * len(self.event_keys),
                "nf": 0,
                "ev": 0,
                "ca": 0,
                "h": [0] * self._width,
            }
        return found

    def table(self, *, features: bool, histograms: bool, sql: str) -> WindowTable:
        """The slots with at least one decision, in (segment, window) order."""
        acc = self._acc
        order = sorted(k for k, v in acc.items() if v["n"])
        events = {k: [acc[o]["a"][j] for o in order] for j, k in enumerate(self.event_keys)}
        if features:
            events["evasion"] = [acc[o]["ev"] for o in order]
            events["caught_after_normalization"] = [acc[o]["ca"] for o in order]
        return WindowTable(
            segments=[o[0] for o in order],
            window=[o[1] for o in order],
            n=[acc[o]["n"] for o in order],
            events=events,
            n_featured=[acc[o]["nf"] for o in order],
            histograms=[acc[o]["h"] for o in order] if histograms else None,
            sql=sql,
        )


def fetch_window_table(
    store: Store,
    ref: WindowQuery,
    cur: WindowQuery,
    *,
    action_sets: Sequence[Sequence[str]],
    features: bool,
    bins: int | None,
) -> WindowTable:
    """Rate counts (and score histograms) of both windows in **one** scan of the decision log.

    Rows are grouped by (segment, window[, score bin]); every rate measure is a column, so the
    action, evasion and drift checks of a monitor cost one query instead of one per check and
    window.
    """
    from sqlalchemy import Integer, and_, case, cast, literal, or_

    span = WindowQuery(
        **{**cur.model_dump(), "start": min(ref.start, cur.start), "end": max(ref.end, cur.end)}
    )
    need_verdicts = span.enforcer is not None
    joined, seg, v, where, d, _i = _base(span, verdicts_needed=need_verdicts)
    where = [
        or_(
            and_(d.c.decided_at >= ref.start, d.c.decided_at < ref.end),
            and_(d.c.decided_at >= cur.start, d.c.decided_at < cur.end),
        ),
        *where,
    ]
    win = case((d.c.decided_at >= cur.start, 1), else_=0).label("win")
    columns: list[Any] = [_segment(seg), win, func.count().label("n")]
    source = v.c.action if v is not None else d.c.action
    for j, acts in enumerate(action_sets):
        event = cast(case((source.in_(list(acts)), 1), else_=0), Integer)
        columns.append(func.sum(event).label(f"a{j}"))
    f = decision_features.alias("f")
    if features:
        joined = joined.outerjoin(f, f.c.decision_id == d.c.decision_id)
        columns += [
            func.sum(cast(case((f.c.decision_id.is_not(None), 1), else_=0), Integer)).label("nf"),
            func.sum(cast(case((f.c.normalization_changed, 1), else_=0), Integer)).label("ev"),
            func.sum(cast(case((f.c.caught_after_normalization, 1), else_=0), Integer)).label("ca"),
        ]
    group: list[Any] = ([seg] if seg is not None else []) + [win]
    b = None
    if bins is not None and v is not None:
        if store.dialect == "postgresql":
            raw_bin = cast(func.floor(v.c.score * bins), Integer)
        else:
            raw_bin = cast(v.c.score * bins, Integer)
        b = case((v.c.score >= 1.0, bins - 1), else_=raw_bin).label("bin")
    columns.append(b if b is not None else literal(0).label("bin"))
    if b is not None:
        group.append(b)
    stmt = select(*columns).select_from(joined).where(and_(*where)).group_by(*group)
    slots = WindowSlots(action_sets, bins or 1)
    with store.connect() as conn:
        for r in conn.execute(stmt):
            acc = slots.slot(str(r.segment), int(r.win))
            acc["n"] += int(r.n)
            for j in range(len(action_sets)):
                acc["a"][j] += int(getattr(r, f"a{j}") or 0)
            if features:
                acc["nf"] += int(r.nf or 0)
                acc["ev"] += int(r.ev or 0)
                acc["ca"] += int(r.ca or 0)
            if b is not None and bins is not None:
                acc["h"][min(max(int(r.bin), 0), bins - 1)] += int(r.n)
    return slots.table(features=features, histograms=b is not None, sql=render_sql(store, stmt))


class BlastCount(_Frozen):
    """Decisions of one (community, action) under a deployment in a window."""

    community: str | None
    action: str
    decisions: int
    authors: int
    """Distinct authors among them (items without an author are not counted)."""


class BlastRadius(_Frozen):
    """Who and what a deployment touched in a window (from `decision_arms` joined to items)."""

    deployment_id: str
    since: datetime | None
    until: datetime | None
    arm: str | None
    decisions: int
    actions: dict[str, int]
    communities: int
    authors: int
    """Distinct authors over the whole window."""
    counts: tuple[BlastCount, ...]
    sql: str


def blast_radius(
    store: Store,
    deployment_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    arm: str | None = None,
) -> BlastRadius:
    """The blast radius of a deployment over `[since, until)`: communities, actions, authors.

    Counted in SQL over the decisions that name the deployment (`decision_arms`); `arm`
    (`active`, `canary`) keeps only the decisions that arm made.

    Raises:
        NotFoundError: The deployment named no decision ever (or does not exist).
        ValidationError: `since` is not before `until`.
    """
    from sqlalchemy import and_

    from modgate.store import decision_arms, items

    if since is not None and until is not None and since >= until:
        raise ValidationError("--since must be before --until")
    a, i = decision_arms.alias("a"), items.alias("i")
    where: list[Any] = [a.c.deployment_id == deployment_id]
    if since is not None:
        where.append(a.c.decided_at >= since)
    if until is not None:
        where.append(a.c.decided_at < until)
    if arm is not None:
        where.append(a.c.arm == arm)
    joined = a.outerjoin(i, i.c.id == a.c.item_id)
    stmt = (
        select(
            a.c.community,
            a.c.action,
            func.count().label("n"),
            func.count(func.distinct(i.c.author_id)).label("authors"),
        )
        .select_from(joined)
        .where(and_(*where))
        .group_by(a.c.community, a.c.action)
        .order_by(func.count().desc(), a.c.community, a.c.action)
    )
    total = select(func.count(func.distinct(i.c.author_id))).select_from(joined).where(*where)
    with store.connect() as conn:
        exists = conn.execute(
            select(func.count()).select_from(a).where(a.c.deployment_id == deployment_id)
        ).scalar_one()
        if not exists:
            raise NotFoundError(f"deployment {deployment_id!r} made no decision")
        rows = list(conn.execute(stmt))
        authors = int(conn.execute(total).scalar_one())
    counts = tuple(
        BlastCount(community=r.community, action=r.action, decisions=r.n, authors=r.authors)
        for r in rows
    )
    actions: dict[str, int] = {}
    for c in counts:
        actions[c.action] = actions.get(c.action, 0) + c.decisions
    return BlastRadius(
        deployment_id=deployment_id,
        since=since,
        until=until,
        arm=arm,
        decisions=sum(c.decisions for c in counts),
        actions=dict(sorted(actions.items())),
        communities=len({c.community for c in counts}),
        authors=authors,
        counts=counts,
        sql=render_sql(store, stmt),
    )
