"""Progress bar and summary printing for file imports (items today, golden sets alike)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modgate.store import ImportReport, ProgressCallback
from rich.table import Table

from modgate.cli._output import console, err_console

PROGRESS_MIN_BYTES = 16 * 1024 * 1024
"""Files smaller than this import without a progress bar."""


@contextmanager
def import_progress(path: Path, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A Rich progress bar on stderr (by bytes read) for a large file on a terminal.

    Yields:
        The callback to pass as `on_progress`, or None when no bar is shown.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    errors = err_console()
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if not enabled or not errors.is_terminal or size < PROGRESS_MIN_BYTES:
        yield None
        return
    by_rows = path.suffix.lower() in (".parquet", ".pq")
    columns = (
        [MofNCompleteColumn()]
        if by_rows
        else [DownloadColumn(binary_units=True), TransferSpeedColumn()]
    )
    with Progress(
        TextColumn("[bold]importing[/bold] {task.description}"),
        BarColumn(),
        *columns,
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task(path.name, total=None)

        def update(done: int, total: int, _unit: str) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_import_report(report: ImportReport, *, as_json: bool = False) -> None:
    """Print what an import did: counts, rejects by reason and where the rejects are."""
    out = console()
    if as_json:
        out.print_json(json.dumps(report.model_dump()))
        return
    rate = report.rows_read / report.seconds if report.seconds else 0.0
    out.print(
        f"[bold]{report.source}[/bold] ({report.format}): {report.rows_read} rows read in "
        f"{report.seconds:.1f} s ({rate:,.0f} rows/s)",
        highlight=False,
    )
    out.print(
        f"  imported {report.accepted}: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged",
        highlight=False,
    )
    if report.blank_lines:
        out.print(f"  skipped {report.blank_lines} blank lines", highlight=False)
    if not report.rejected:
        out.print("  rejected 0", highlight=False)
        return
    table = Table(title=f"rejected {report.rejected}", title_justify="left")
    table.add_column("reason")
    table.add_column("rows", justify="right")
    for reason, count in report.rejected_by_reason.items():
        table.add_row(reason, str(count))
    out.print(table)
    out.print(f"  rejects file: {report.rejects_path}", highlight=False)
