"""`modgate items`: browse imported items."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models
from modgate.cli._parse import parse_time
from modgate.store import get_item, list_items

app = typer.Typer(help="Items: the content modgate judges.")


@app.command("list")
def list_(
    ctx: typer.Context,
    community: str | None = typer.Option(None, help="Only this community."),
    since: str | None = typer.Option(None, help="Created at or after (ISO; UTC without zone)."),
    until: str | None = typer.Option(None, help="Created before (ISO; UTC without zone)."),
    text: str | None = typer.Option(None, "--text", help="Case-insensitive text search."),
    limit: int = typer.Option(50, min=1, help="Maximum items."),
    offset: int = typer.Option(0, min=0, help="Items to skip."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List items, newest first."""
    found = list_items(
        get_context(ctx).store(),
        community=community,
        since=parse_time(since, "--since") if since else None,
        until=parse_time(until, "--until") if until else None,
        text=text,
        limit=limit,
        offset=offset,
    )
    write_models(found, fmt, output, title="items")


@app.command("show")
def show(
    ctx: typer.Context,
    item_id: str = typer.Argument(..., help="Item id."),
    fmt: OutputFormat = typer.Option(OutputFormat.JSON, "--format", "-f", help="Output format."),
) -> None:
    """Show one item with every field."""
    write_models([get_item(get_context(ctx).store(), item_id)], fmt, title="item")
