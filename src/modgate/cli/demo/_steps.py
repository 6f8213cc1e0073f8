"""The demo's steps, in order, and the loop that runs them in a workspace."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from modgate.cli.demo._automod import step_automod
from modgate.cli.demo._community import step_community
from modgate.cli.demo._deploy import step_deploy
from modgate.cli.demo._enforce import step_enforce
from modgate.cli.demo._eval import step_eval
from modgate.cli.demo._golden import step_golden
from modgate.cli.demo._items import step_load_items
from modgate.cli.demo._llm import step_llm_cascade
from modgate.cli.demo._monitor import step_monitor
from modgate.cli.demo._policy import step_policies
from modgate.cli.demo._redteam import step_redteam
from modgate.cli.demo._review import step_review
from modgate.cli.demo._rules import step_rules
from modgate.cli.demo._run import DemoRun, sample_file
from modgate.cli.demo._serve import step_serve
from modgate.cli.demo._ui import step_ui
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
    step_deploy,  # issue 18: shadow, canary, decide, rollback, impact, reversal
    step_serve,  # issue 19: the HTTP service in the background, live canary and rollback
    step_redteam,  # issue 22: attack success per family, a hardened classifier
    step_community,  # issue 23: community rules at scale, lint, families
    step_review,  # issue 21: review queue, an appeal overturned, statements of reasons
    step_monitor,  # issue 20: a simulated week, monitors, alerts → incident → rollback
    step_ui,  # issue 21: a web UI admin account and the URL to open
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
