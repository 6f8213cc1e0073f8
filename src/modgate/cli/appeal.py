"""`modgate appeal`: appeals against removals (the library is modgate.review)."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models

app = typer.Typer(help="Appeals against removals: open, list, decide (by another reviewer).")


@app.command("open")
def open_(
    ctx: typer.Context,
    decision_id: str = typer.Argument(..., help="The removal's decision id."),
    statement: str = typer.Option(..., "--statement", "-s", help="Why the removal is wrong."),
    appellant: str | None = typer.Option(None, help="Who appeals (e.g. the author's id)."),
) -> None:
    """Appeal a removal; it is queued for a reviewer other than the first one."""
    from modgate.review import open_appeal

    appeal = open_appeal(
        get_context(ctx).store(), decision_id, appellant=appellant, statement=statement
    )
    typer.echo(f"appeal {appeal.id} opened against {appeal.decision_id} ({appeal.policy})")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, help="open, upheld or overturned."),
    limit: int = typer.Option(100, min=1, help="Maximum appeals."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List appeals, newest first."""
    from modgate.review import list_appeals

    found = list_appeals(get_context(ctx).store(), status=status, limit=limit)
    write_models(found, fmt, output, title="appeals")


@app.command("decide")
def decide(
    ctx: typer.Context,
    appeal_id: int = typer.Argument(..., help="Appeal id."),
    outcome: str = typer.Argument(..., help="upheld (removal stands) or overturned (restore)."),
    note: str | None = typer.Option(None, help="Why."),
    reviewer: str | None = typer.Option(None, help="Who decides (default: MODGATE_USER)."),
) -> None:
    """Decide an appeal (refused for the reviewer of the appealed decision)."""
    from modgate.review import decide_appeal

    context = get_context(ctx)
    appeal = decide_appeal(
        context.store(),
        appeal_id,
        reviewer or context.settings().actor,
        outcome=outcome,  # type: ignore[arg-type]
        note=note,
    )
    typer.echo(f"appeal {appeal.id}: {appeal.status} by {appeal.decided_by}")
