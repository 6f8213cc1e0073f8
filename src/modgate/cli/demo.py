"""`modgate demo`: the main job, end to end, in a throwaway (or given) workspace.

The demo is a list of steps; each capability appends its own step (a function taking the
`DemoRun`) to `DEMO_STEPS`, so the demo grows with the product.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console

from modgate.cli import _demo_enforce, _demo_eval
from modgate.cli._demo_automod import step_automod
from modgate.cli._demo_golden import step_golden
from modgate.cli._demo_llm import step_llm_cascade
from modgate.cli._demo_policy import step_policies
from modgate.cli._demo_rules import step_rules
from modgate.cli._output import console
from modgate.config import Settings
from modgate.domain import Item
from modgate.store import Store, count_items, import_items, init_workspace, open_store


@dataclass
class DemoRun:
    """State shared by the demo's steps."""

    settings: Settings
    store: Store
    out: Console
    sample_path: Path
    notes: list[str] = field(default_factory=list)
    """SQL and commands to suggest at the end."""

    @property
    def workspace(self) -> Path:
        """The demo workspace."""
        assert self.settings.workspace is not None
        return self.settings.workspace


def sample_file() -> Path:
    """Path of the shipped demo sample (Davidson + ToxiGen seeds, MIT; see its README)."""
    return Path(str(resources.files("modgate.cli") / "demo_data" / "sample.jsonl"))


def load_sample_items(path: Path) -> list[Item]:
    """Read the demo sample as items (labels and vote counts kept in `meta`)."""
    found: list[Item] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            meta = dict(row.get("meta") or {})
            meta.update({"source": row["source"], "dataset_label": row["label"]})
            found.append(Item(id=row["id"], kind="other", body=row["text"], meta=meta))
    return found


def write_sample_export(sample: Path, target: Path) -> Path:
    """Write the shipped sample as an analyst's JSONL export (labels and votes as columns)."""
    with sample.open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for line in source:
            row = json.loads(line)
            record = {
                "id": row["id"],
                "text": row["text"],
                **(row.get("meta") or {}),
                "source": row["source"],
                "dataset_label": row["label"],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target


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


DEMO_STEPS: list[Callable[[DemoRun], None]] = [
    step_load_items,
    step_policies,
    step_golden,
    step_rules,
    step_automod,
]
DEMO_STEPS.append(_demo_enforce.step_enforce)  # issue 8: train, score, decide
DEMO_STEPS.append(step_llm_cascade)  # issue 9: rules → classifier → LLM (if configured) → review
DEMO_STEPS.append(_demo_eval.step_eval)  # issue 10: evaluate, compare, gate


def run_demo(directory: Path | None, out: Console) -> DemoRun:
    """Create (or reuse) a demo workspace and run every demo step in it."""
    folder = directory or Path(tempfile.mkdtemp(prefix="modgate-demo-"))
    settings = init_workspace(folder, exist_ok=True)
    out.print(f"[bold]workspace[/bold]: {settings.workspace}")
    store = open_store(settings)
    run = DemoRun(settings=settings, store=store, out=out, sample_path=sample_file())
    try:
        for step in DEMO_STEPS:
            step(run)
    finally:
        store.close()
    return run


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Workspace folder to use (default: a new temporary folder)."
    ),
) -> None:
    """Run the end-to-end demo on a small real sample shipped with modgate."""
    out = console()
    run = run_demo(directory, out)
    out.print("\n[bold]try next[/bold] (from the workspace folder):")
    out.print(f"  cd {run.workspace}")
    for note in run.notes:
        out.print(f"  {note}", highlight=False, markup=False)
