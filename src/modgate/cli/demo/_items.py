"""Demo step: import the shipped sample through the items importer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from modgate.cli.demo._run import DemoRun, write_sample_export
from modgate.store import count_items, import_items


def step_load_items(run: DemoRun) -> None:
    """Import the shipped sample through `modgate items import` (columns left over → meta)."""
    with tempfile.TemporaryDirectory(prefix="modgate-demo-import-") as folder:
        export = write_sample_export(run.sample_path, Path(folder) / "sample.jsonl")
        report = import_items(
            run.store,
            export,
            actor=run.settings.actor,
            rejects_path=Path(folder) / "rejects.jsonl",
            max_text_bytes=run.settings.max_text_bytes,
            batch_size=run.settings.batch_size,
        )
    run.out.print(
        f"[bold]items[/bold]: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected "
        f"(total {count_items(run.store)})"
    )
    run.notes.append(
        "modgate sql \"SELECT json_extract(meta, '$.fine_label') AS fine_label, count(*) "
        'FROM items GROUP BY 1"'
    )
