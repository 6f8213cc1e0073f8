"""Overview, monitors, alerts and incidents (monitor's and release's library APIs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from modgate.monitor import (
    ack_alert,
    add_incident_note,
    get_alert,
    get_incident,
    list_alerts,
    list_incidents,
    load_monitors,
    open_incident,
    resolve_incident,
)
from modgate.release import action_counts, deployment_history, load_deployment_snapshot
from modgate.ui._charts import actions_over_time_chart, drift_chart
from modgate.ui._repo import Session
from modgate.ui._security import need, need_post, ui_store
from modgate.ui._settings import UiSettings
from modgate.ui._templates import render

router = APIRouter()
Reader = Annotated[Session, Depends(need("read"))]
Operator = Annotated[Session, Depends(need_post("operate"))]


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/overview", summary="Actions over time, open alerts, deployments.")
def overview(request: Request, session: Reader, days: int | None = None) -> Response:
    """The overview page."""
    settings: UiSettings = request.app.state.ui_settings
    store = ui_store(request)
    span = max(1, min(days or settings.overview_days, 366))
    end = datetime.now(UTC)
    start = end - timedelta(days=span)
    counts = action_counts(store, start=start, end=end, bucket="hour" if span <= 2 else "day")
    alerts = list_alerts(store, status="open", limit=50)
    snapshot = load_deployment_snapshot(store)
    deployments = sorted(snapshot.deployments.values(), key=lambda d: d.policy)
    recent = {d.policy: [h for h in deployment_history(store, d.policy)
                         if h.created_at >= start] for d in deployments}  # fmt: skip
    policies = sorted({c.policy for c in counts})
    charts = [
        actions_over_time_chart(
            counts,
            p,
            alerts=[a for a in alerts if a.first_seen_at >= start],
            deployments=recent.get(p, []),
        )  # fmt: skip
        for p in policies
    ]
    totals = {p: sum(c.count for c in counts if c.policy == p) for p in policies}
    return render(request, "overview.html", session, charts=charts, alerts=alerts,
                  deployments=deployments, totals=totals, days=span)  # fmt: skip


@router.get("/monitors", summary="Monitor files of the workspace.")
def monitors(request: Request, session: Reader) -> Response:
    """Monitors and their recent alerts."""
    settings: UiSettings = request.app.state.ui_settings
    found = []
    error = None
    if settings.workspace is not None and (settings.workspace / "monitors").is_dir():
        try:
            found = load_monitors(settings.workspace / "monitors")
        except Exception as exc:  # noqa: BLE001 - a broken file is shown, not a 500
            error = str(exc)
    alerts = list_alerts(ui_store(request), limit=200)
    by_monitor: dict[str, int] = {}
    for a in alerts:
        if a.status == "open":
            by_monitor[a.monitor] = by_monitor.get(a.monitor, 0) + 1
    return render(request, "monitors.html", session, monitors=found, error=error,
                  open_alerts=by_monitor)  # fmt: skip


@router.get("/alerts", summary="Alerts.")
def alerts(request: Request, session: Reader, status: str | None = None) -> Response:
    """Alerts, newest first, filtered by status."""
    chosen = status if status in ("open", "acked", "resolved") else None
    found = list_alerts(ui_store(request), status=chosen, limit=200)
    return render(request, "alerts.html", session, alerts=found, status=chosen or "")


@router.get("/alerts/{alert_id}", summary="One alert.")
def alert(request: Request, session: Reader, alert_id: int) -> Response:
    """An alert, its evidence and its drift figure when it has one."""
    found = get_alert(ui_store(request), alert_id)
    chart = drift_chart(found.evidence, title=f"{found.monitor}/{found.check}: {found.segment}")
    return render(request, "alert.html", session, alert=found, chart=chart)


@router.post("/alerts/{alert_id}/ack", summary="Acknowledge an alert.")
def alert_ack(request: Request, session: Operator, alert_id: int) -> Response:
    """Acknowledge (audited by the monitor library)."""
    ack_alert(ui_store(request), alert_id, actor=session.username)
    return RedirectResponse(f"{_base(request)}/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/incident", summary="Open an incident from an alert.")
def alert_incident(request: Request, session: Operator, alert_id: int,
                   title: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Open an incident for the alert."""
    found = get_alert(ui_store(request), alert_id)
    incident = open_incident(ui_store(request), actor=session.username,
                             title=title or found.title, from_alert=found.id)  # fmt: skip
    return RedirectResponse(f"{_base(request)}/incidents/{incident.id}", status_code=303)


@router.get("/incidents", summary="Incidents.")
def incidents(request: Request, session: Reader) -> Response:
    """Incidents, newest first."""
    return render(request, "incidents.html", session,
                  incidents=list_incidents(ui_store(request), limit=200))  # fmt: skip


@router.get("/incidents/{incident_id}", summary="One incident.")
def incident(request: Request, session: Reader, incident_id: int) -> Response:
    """An incident and its timeline."""
    return render(request, "incident.html", session,
                  incident=get_incident(ui_store(request), incident_id))  # fmt: skip


@router.post("/incidents/{incident_id}/note", summary="Add a note to an incident.")
def incident_note(request: Request, session: Operator, incident_id: int,
                  text: Annotated[str, Form()]) -> Response:  # fmt: skip
    """Add a timeline note."""
    add_incident_note(ui_store(request), incident_id, text, actor=session.username)
    return RedirectResponse(f"{_base(request)}/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/resolve", summary="Resolve an incident.")
def incident_resolve(request: Request, session: Operator, incident_id: int,
                     resolution: Annotated[str, Form()]) -> Response:  # fmt: skip
    """Resolve with a resolution text."""
    resolve_incident(ui_store(request), incident_id, resolution, actor=session.username)
    return RedirectResponse(f"{_base(request)}/incidents/{incident_id}", status_code=303)


__all__ = ["router"]
