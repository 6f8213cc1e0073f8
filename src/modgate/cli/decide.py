"""`modgate decide`: decisions for stored items under the current deployments."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, err_console, write_records
from modgate.errors import ConfigError


def decide(
    ctx: typer.Context,
    items: str | None = typer.Option(
        None,
        "--items",
        help="Items to decide: a SELECT query or a file of ids (.txt/.csv/.jsonl); default all.",
    ),
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Items per batch."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Decide stored items under the current deployments; re-running resumes where it stopped."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from modgate.enforce import select_item_ids
    from modgate.release import decide as decide_items_under_deployments

    context = get_context(ctx)
    settings = context.settings()
    workspace: Path | None = settings.workspace
    if workspace is None:
        raise ConfigError("decide needs a workspace (modgate init)")
    store = context.store()
    ids = select_item_ids(store, items)
    columns = [TextColumn("deciding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=err_console(), transient=True) as progress:
        task = progress.add_task("decide", total=len(ids))
        result = decide_items_under_deployments(
            store,
            ids,
            workspace=workspace,
            actor=settings.actor,
            batch_size=batch_size,
            progress=lambda n: progress.advance(task, n),
        )
    dumped = result.model_dump()
    write_records(list(dumped), [list(dumped.values())], fmt, title="decisions")


__all__ = ["decide"]
