"""`modgate incident`: incidents opened from alerts, with their log of notes and actions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models, write_records
from modgate.cli._parse import parse_time
from modgate.errors import ValidationError

app = typer.Typer(help="Incidents: open from an alert, note actions taken, resolve.")


@app.command("open")
def open_(
    ctx: typer.Context,
    from_alert: int | None = typer.Option(None, "--from-alert", help="Alert id to open from."),
    title: str | None = typer.Option(None, help="Title (default: the alert's)."),
    severity: str | None = typer.Option(None, help="info, warning or critical."),
) -> None:
    """Open an incident (from an alert, which it acknowledges and links)."""
    from modgate.monitor import open_incident

    context = get_context(ctx)
    inc = open_incident(
        context.store(),
        actor=context.settings().actor,
        title=title,
        from_alert=from_alert,
        severity=severity,
    )
    typer.echo(f"incident {inc.id} opened: {inc.title}")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, help="open or resolved (default: all)."),
    limit: int = typer.Option(100, min=1, help="Maximum incidents."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List incidents, newest first."""
    from modgate.monitor import list_incidents

    found = list_incidents(get_context(ctx).store(), status=status, limit=limit)
    columns = [
        "id",
        "status",
        "severity",
        "title",
        "alert_id",
        "opened_at",
        "opened_by",
        "resolved_at",
        "resolution",
    ]
    write_records(
        columns, [[getattr(i, c) for c in columns] for i in found], fmt, output, title="incidents"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., help="Incident id."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Show an incident and its log (opened, notes, actions, resolution)."""
    from modgate.monitor import get_alert, get_incident

    store = get_context(ctx).store()
    inc = get_incident(store, incident_id)
    if fmt is OutputFormat.TABLE and output is None:
        typer.echo(f"incident {inc.id} [{inc.status}, {inc.severity}] {inc.title}")
        if inc.alert_id is not None:
            alert = get_alert(store, inc.alert_id)
            typer.echo(f"from alert {inc.alert_id}")
            link = alert.deployment or {}
            if alert.deployment_id is not None:
                typer.echo(
                    f"deployment {alert.deployment_id} ({link.get('change')} "
                    f"{link.get('stage') or ''} {link.get('enforcer') or ''}".rstrip()
                    + f", changed {link.get('changed_at')}; active {link.get('active')}, "
                    f"canary {link.get('canary')}) changed near the alert's start; blast radius: "
                    f"modgate incident blast-radius {alert.deployment_id}"
                )
            elif link:
                typer.echo(
                    f"no deployment changed near the alert's start (in effect: "
                    f"{link.get('deployment_id')}, changed {link.get('changed_at')})"
                )
    write_models(inc.events, fmt, output, title="events")


@app.command("note")
def note(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., help="Incident id."),
    text: str = typer.Argument(..., help="The note."),
    action: str | None = typer.Option(
        None, "--action", help="Record an action taken: rollback, thresholds, route_to_review, …"
    ),
    details: str | None = typer.Option(None, "--details", help="JSON object of action details."),
) -> None:
    """Add a note, or record an action taken, to an open incident."""
    from modgate.monitor import add_incident_note

    parsed = None
    if details is not None:
        try:
            parsed = json.loads(details)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"--details: not JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise ValidationError("--details must be a JSON object")
    context = get_context(ctx)
    inc = add_incident_note(
        context.store(),
        incident_id,
        text,
        actor=context.settings().actor,
        action=action,
        details=parsed,
    )
    typer.echo(f"incident {inc.id}: {len(inc.events)} log entries")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., help="Incident id."),
    resolution: str = typer.Argument(..., help="How it was resolved."),
) -> None:
    """Resolve an incident and its alert (a recurrence then raises a new alert)."""
    from modgate.monitor import resolve_incident

    context = get_context(ctx)
    inc = resolve_incident(context.store(), incident_id, resolution, actor=context.settings().actor)
    typer.echo(f"incident {inc.id} resolved")


@app.command("blast-radius")
def blast_radius_(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment id (see `modgate deploy history`)."),
    since: str | None = typer.Option(None, "--since", help="From this ISO time (UTC if no zone)."),
    until: str | None = typer.Option(None, "--until", help="Before this ISO time."),
    arm: str | None = typer.Option(None, "--arm", help="Only this arm's decisions (canary, …)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Communities, actions and authors a deployment's decisions touched in a window."""
    from modgate.monitor import blast_radius

    found = blast_radius(
        get_context(ctx).store(),
        deployment,
        since=parse_time(since, "--since") if since else None,
        until=parse_time(until, "--until") if until else None,
        arm=arm,
    )
    write_records(
        ["community", "action", "decisions", "authors"],
        [[c.community, c.action, c.decisions, c.authors] for c in found.counts],
        fmt,
        output,
        title=f"blast radius of {found.deployment_id}",
    )
    if fmt is OutputFormat.TABLE and output is None:
        typer.echo(
            f"{found.decisions} decisions in {found.communities} communities by "
            f"{found.authors} authors; actions {found.actions}",
            err=True,
        )
