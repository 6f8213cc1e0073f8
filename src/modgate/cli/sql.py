"""`modgate sql`: read-only SQL over the store."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, err_console, write_records


def sql(
    ctx: typer.Context,
    query: str = typer.Argument(..., help='One SQL statement, e.g. "SELECT count(*) FROM items".'),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=0,
        max=2**53,
        help="Maximum rows (default: the sql_row_limit setting for tables, all otherwise).",
    ),
) -> None:
    """Run read-only SQL; the database itself refuses any write.

    The statement stops after `sql_timeout_s` (default 60 s); Ctrl-C or SIGTERM cancel it in
    the database. On PostgreSQL it runs as a reader role (`modgate db create-reader-role`).
    """
    from modgate.store import run_readonly_query

    context = get_context(ctx)
    max_rows = limit
    if max_rows is None and fmt is OutputFormat.TABLE and output is None:
        max_rows = context.settings().sql_row_limit
    result = run_readonly_query(context.sql_source(), query, max_rows=max_rows)
    write_records(result.columns, result.rows, fmt, output)
    if result.truncated:
        err_console().print(f"[yellow]showing the first {max_rows} rows; use --limit[/yellow]")
