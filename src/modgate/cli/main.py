"""The `modgate` command: a Typer app; every `ModgateError` becomes a message and exit code here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.markup import escape

from modgate.cli import (
    alert,
    audit,
    db,
    demo,
    enforcer,
    golden,
    incident,
    items,
    monitor,
    policy,
    rules,
    sql,
)
from modgate.cli import eval as eval_cmd
from modgate.cli import gate as gate_cmd
from modgate.cli import init as init_cmd
from modgate.cli._context import CliContext
from modgate.cli._output import err_console
from modgate.errors import ModgateError

app = typer.Typer(
    name="modgate",
    help="Policy-to-production quality loop for AI-driven content-safety enforcement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    directory: Path | None = typer.Option(
        None,
        "--workspace",
        "-C",
        help="Run as if started in this folder (the workspace is found from it upward).",
    ),
) -> None:
    """Policy-to-production quality loop for AI-driven content-safety enforcement."""
    ctx.obj = CliContext(cwd=(directory or Path.cwd()))
    ctx.call_on_close(ctx.obj.close)


app.command("init")(init_cmd.init)
app.command("sql")(sql.sql)
app.command("demo")(demo.demo)
app.add_typer(db.app, name="db")
app.add_typer(items.app, name="items")
app.add_typer(audit.app, name="audit")
app.add_typer(policy.app, name="policy")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(gate_cmd.app, name="gate")
app.add_typer(golden.app, name="golden")
app.add_typer(rules.app, name="rules")
app.add_typer(enforcer.app, name="enforcer")
app.add_typer(monitor.app, name="monitor")
app.add_typer(alert.app, name="alert")
app.add_typer(incident.app, name="incident")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `modgate` console script."""
    try:
        # without standalone mode click returns (not raises) the code of `typer.Exit(code)`
        code = app(args=argv, standalone_mode=False)
    except ModgateError as exc:
        console = err_console()
        console.print(f"[bold red]error:[/bold red] {escape(exc.message)}", highlight=False)
        if exc.hint:
            console.print(f"[dim]hint:[/dim] {escape(exc.hint)}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console().print("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument…
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console().print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except Exception as exc:  # the unexpected
        if os.environ.get("MODGATE_DEBUG"):
            raise
        err_console().print(
            f"[bold red]internal error:[/bold red] {type(exc).__name__}: {escape(str(exc))}\n"
            "[dim]set MODGATE_DEBUG=1 for the traceback and report it[/dim]",
            highlight=False,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
