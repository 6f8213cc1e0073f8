"""Demo step: a web UI admin account, and where to open the UI (starts nothing)."""

from __future__ import annotations

import secrets

from modgate.cli.demo._run import DemoRun


def step_ui(run: DemoRun) -> None:
    """Create the `admin` account of the web UI (a fresh password, printed once)."""
    from modgate.errors import ConflictError
    from modgate.ui import create_account, set_password

    password = secrets.token_urlsafe(12)
    try:
        create_account(run.store, "admin", password, "admin", actor="demo")
    except ConflictError:  # a reused demo workspace: give the account a new password
        set_password(run.store, "admin", password, actor="demo")
    run.out.print(
        "[bold]web UI[/bold]: account [bold]admin[/bold] (password "
        f"[bold]{password}[/bold]); run `modgate serve` in the workspace and open "
        "http://127.0.0.1:8000/ui/ (add reviewers with `modgate users create NAME --role "
        "reviewer` and `modgate users grant-queue NAME POLICY`)"
    )
    run.notes.append("modgate serve   # then http://127.0.0.1:8000/ui/ (docs/ui.md)")
