"""The `modgate` command: a Typer app; every `ModgateError` becomes a message and exit code here."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

import typer
from rich.markup import escape
from typer.core import TyperGroup

from modgate.cli._context import CliContext
from modgate.cli._deferred_coercion import defer_coercion, defer_parameter
from modgate.cli._output import err_console
from modgate.errors import ModgateError, ValidationError


class _Entry(NamedTuple):
    module: str
    """Module of the command (a Typer app named `app`, or a command function)."""
    attribute: str
    """`app` for a noun's group, else the command function's name."""
    help: str
    """One line for `modgate --help`; `tests/cli/test_help.py` checks it against the module."""


COMMANDS: dict[str, _Entry] = {
    "init": _Entry(
        "modgate.cli.init",
        "init",
        "Create a workspace: modgate.toml, authoring folders and a migrated database.",
    ),
    "sql": _Entry(
        "modgate.cli.sql",
        "sql",
        "Run read-only SQL; the database itself refuses any write.",
    ),
    "demo": _Entry(
        "modgate.cli.demo",
        "demo",
        "Run the end-to-end demo on a small real sample shipped with modgate.",
    ),
    "db": _Entry(
        "modgate.cli.db",
        "app",
        "Database: upgrade the schema, show its revision, create a reader role for SQL.",
    ),
    "items": _Entry(
        "modgate.cli.items",
        "app",
        "Items: the content modgate judges.",
    ),
    "users": _Entry(
        "modgate.cli.users",
        "app",
        "Web UI accounts: create, list, set-role, grant-queue.",
    ),
    "audit": _Entry(
        "modgate.cli.audit",
        "app",
        "Audit log: who changed what, when.",
    ),
    "policy": _Entry(
        "modgate.cli.policy",
        "app",
        "Policies as code: lint, diff, publish and compile policy files.",
    ),
    "eval": _Entry(
        "modgate.cli.eval",
        "app",
        "Evaluation: score a frozen golden split, figures with intervals, compare.",
    ),
    "gate": _Entry(
        "modgate.cli.gate",
        "app",
        "Release gates: is an evaluated enforcer version ready for production?",
    ),
    "golden": _Entry(
        "modgate.cli.golden",
        "app",
        "Golden sets: labeled items that teach and judge enforcers.",
    ),
    "rules": _Entry(
        "modgate.cli.rules",
        "app",
        "Rule sets: keyword and regex rules (rules/NAME.yaml).",
    ),
    "enforcer": _Entry(
        "modgate.cli.enforcer",
        "app",
        "Enforcers: the catalog of versioned models that judge items.",
    ),
    "redteam": _Entry(
        "modgate.cli.redteam",
        "app",
        "Red-team: perturbations, attack success rates, new false positives.",
    ),
    "deploy": _Entry(
        "modgate.cli.deploy",
        "app",
        "Deployments: which enforcer versions act (active, canary) or watch (shadow).",
    ),
    "backfill": _Entry(
        "modgate.cli.backfill",
        "backfill",
        "Re-score history with a candidate on Dask: expected actions and review load.",
    ),
    "decide": _Entry(
        "modgate.cli.decide",
        "decide",
        "Decide stored items under the current deployments; re-running resumes where it stopped.",
    ),
    "monitor": _Entry(
        "modgate.cli.monitor",
        "app",
        "Monitors: drift, action rates, evasion, emerging terms → alerts.",
    ),
    "simulate": _Entry(
        "modgate.cli.simulate",
        "app",
        "SIMULATED traffic: real texts, simulated communities, times and scenarios.",
    ),
    "alert": _Entry("modgate.cli.alert", "app", "Alerts raised by monitors: list and acknowledge."),
    "incident": _Entry(
        "modgate.cli.incident",
        "app",
        "Incidents: open from an alert, note actions taken, resolve.",
    ),
    "review": _Entry(
        "modgate.cli.review",
        "app",
        "Human review queue: sync, list queues, claim, show, decide, undo.",
    ),
    "appeal": _Entry(
        "modgate.cli.appeal",
        "app",
        "Appeals against removals: open, list, decide (by another reviewer).",
    ),
    "decisions": _Entry(
        "modgate.cli.decisions",
        "app",
        "Decisions: export statements of reasons for removals (EU DSA).",
    ),
    "serve": _Entry(
        "modgate.cli.serve",
        "serve",
        "Serve the moderation HTTP API under the current deployments (OpenAPI at /openapi.json).",
    ),
    "worker": _Entry(
        "modgate.cli.worker",
        "worker",
        "Decide items from a Redis Stream under the current deployments; SIGTERM stops cleanly.",
    ),
    "keys": _Entry(
        "modgate.cli.keys",
        "app",
        "API keys of the HTTP service: create, list, revoke.",
    ),
}
"""Every command of `modgate`, loaded only when it runs (or its own `--help` is asked for)."""


def load_command(name: str) -> Any:
    """Import one command's module and build its click command (a group for a noun)."""
    entry = COMMANDS[name]
    found = getattr(importlib.import_module(entry.module), entry.attribute)
    command: Any
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer()
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyGroup(TyperGroup):
    """The root group: lists commands from `COMMANDS` and imports one only when it is used.

    `modgate --help` therefore imports no command module at all, and `modgate eval list` only
    `modgate.cli.eval` (and what it uses). Parameters coerce their values lazily
    (`_deferred_coercion`), so an absent option never imports pydantic.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            defer_parameter(param)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        command = load_command(cmd_name)
        defer_coercion(command, ctx)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.help) for name, entry in COMMANDS.items()])


app = typer.Typer(
    name="modgate",
    help="Policy-to-production quality loop for AI-driven content-safety enforcement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_LazyGroup,
    rich_markup_mode=None,
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


def _exit_with(exc: ModgateError) -> None:
    console = err_console()
    console.print(f"[bold red]error:[/bold red] {escape(exc.message)}", highlight=False)
    if exc.hint:
        console.print(f"[dim]hint:[/dim] {escape(exc.hint)}", highlight=False)
    sys.exit(exc.exit_code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `modgate` console script."""
    try:
        # without standalone mode click returns (not raises) the code of `typer.Exit(code)`
        code = app(args=argv, standalone_mode=False)
    except ModgateError as exc:
        _exit_with(exc)
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
    except OverflowError as exc:  # a number too large for the database or a C library
        _exit_with(ValidationError(f"a number is out of range: {exc}"))
    except Exception as exc:  # the unexpected
        if os.environ.get("MODGATE_DEBUG"):
            raise
        from modgate.store import translate_database_error

        translated = translate_database_error(exc)
        if translated is not None:
            _exit_with(translated)
        err_console().print(
            f"[bold red]internal error:[/bold red] {type(exc).__name__}: {escape(str(exc))}\n"
            "[dim]set MODGATE_DEBUG=1 for the traceback and report it[/dim]",
            highlight=False,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
