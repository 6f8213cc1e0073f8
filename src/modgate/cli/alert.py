"""`modgate alert`: alerts raised by monitors."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models, write_records

app = typer.Typer(help="Alerts raised by monitors: list and acknowledge.")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(
        "live", help="open, acked, resolved, live (open or acked) or all."
    ),
    monitor: str | None = typer.Option(None, help="Only this monitor's alerts."),
    limit: int = typer.Option(100, min=1, help="Maximum alerts."),
    evidence: bool = typer.Option(False, "--evidence", help="Include the evidence column."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List alerts, most recently seen first."""
    from modgate.monitor import list_alerts

    found = list_alerts(
        get_context(ctx).store(),
        status=None if status == "all" else status,
        monitor=monitor,
        limit=limit,
    )
    if evidence or fmt is not OutputFormat.TABLE:
        write_models(found, fmt, output, title="alerts")
        return
    columns = [
        "id",
        "severity",
        "status",
        "monitor",
        "check",
        "segment",
        "occurrences",
        "last_seen_at",
        "incident_id",
        "deployment_id",
        "title",
    ]
    rows = [[getattr(a, c) for c in columns] for a in found]
    write_records(columns, rows, fmt, output, title="alerts")


@app.command("ack")
def ack(
    ctx: typer.Context,
    alert_id: int = typer.Argument(..., help="Alert id."),
) -> None:
    """Acknowledge an alert (it stays live; recurrences update it without a new notification)."""
    from modgate.monitor import ack_alert

    context = get_context(ctx)
    alert = ack_alert(context.store(), alert_id, actor=context.settings().actor)
    typer.echo(f"alert {alert.id} acknowledged by {alert.acked_by}")
