"""`modgate audit`: the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models
from modgate.cli._parse import parse_time

app = typer.Typer(help="Audit log: who changed what, when.")


@app.command("list")
def list_(
    ctx: typer.Context,
    action: str | None = typer.Option(None, help="Action, '*' wildcards allowed (items.*)."),
    object_type: str | None = typer.Option(None, "--object-type", help="Kind of object."),
    object_id: str | None = typer.Option(None, "--object-id", help="Id of the object."),
    actor: str | None = typer.Option(None, help="Who acted."),
    since: str | None = typer.Option(None, help="ISO time or date (UTC when no zone)."),
    limit: int = typer.Option(100, min=1, help="Maximum events."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List audit events, newest first."""
    from modgate.store import list_audit_events

    since_at: datetime | None = parse_time(since, "--since") if since else None
    events = list_audit_events(
        get_context(ctx).store(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor=actor,
        since=since_at,
        limit=limit,
    )
    write_models(events, fmt, output, title="audit events")
