"""`modgate demo`: the main job, end to end, in a throwaway (or given) workspace.

The demo is a list of steps, one module each; a step is a function taking the `DemoRun`
(`_run.py`). Each capability adds its own step module and appends it to `DEMO_STEPS`, so the demo
grows with the product.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from modgate.cli._output import console
from modgate.cli.demo._automod import step_automod
from modgate.cli.demo._enforce import step_enforce
from modgate.cli.demo._eval import step_eval
from modgate.cli.demo._golden import step_golden
from modgate.cli.demo._items import step_load_items
from modgate.cli.demo._llm import step_llm_cascade
from modgate.cli.demo._policy import step_policies
from modgate.cli.demo._rules import step_rules
from modgate.cli.demo._run import DemoRun, sample_file
from modgate.store import init_workspace, open_store

DEMO_STEPS: list[Callable[[DemoRun], None]] = [
    step_load_items,
    step_policies,
    step_golden,
    step_rules,
    step_automod,
    step_enforce,  # issue 8: train, score, decide
    step_llm_cascade,  # issue 9: rules → classifier → LLM (if configured) → review
    step_eval,  # issue 10: evaluate, compare, gate
]


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
