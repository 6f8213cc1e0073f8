"""`modgate demo`: the main job, end to end, in a throwaway (or given) workspace.

The demo is a list of steps (`_steps.py`), one module each; a step is a function taking the
`DemoRun` (`_run.py`). Each capability adds its own step module and appends it to
`DEMO_STEPS`, so the demo grows with the product. The steps load only when the demo runs.
"""

from __future__ import annotations

from pathlib import Path

import typer


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Workspace folder to use (default: a new temporary folder)."
    ),
) -> None:
    """Run the end-to-end demo on a small real sample shipped with modgate."""
    from modgate.cli._output import console
    from modgate.cli.demo._steps import run_demo

    out = console()
    run = run_demo(directory, out)
    out.print("\n[bold]try next[/bold] (from the workspace folder):")
    out.print(f"  cd {run.workspace}")
    for note in run.notes:
        out.print(f"  {note}", highlight=False, markup=False)
