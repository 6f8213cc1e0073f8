"""`modgate users`: local accounts of the web UI (argon2id password hashes, roles, queues)."""

from __future__ import annotations

import sys

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, write_models

app = typer.Typer(help="Web UI accounts: create, list, set-role, grant-queue.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option("viewer", "--role", "-r", help="viewer, reviewer, analyst or admin."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create a web UI account (asks for the password; only its argon2id hash is stored)."""
    from modgate.ui import create_account

    context = get_context(ctx)
    account = create_account(
        context.store(), username, _read_password(password_stdin), role,
        actor=context.settings().actor,
    )  # fmt: skip
    console().print(f"created {account.role} account {account.username}")


@app.command("list")
def list_(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """List web UI accounts with their roles and review queues (never passwords)."""
    from modgate.ui import list_accounts

    write_models(list_accounts(get_context(ctx).store()), fmt, title="UI accounts")


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Argument(..., help="viewer, reviewer, analyst or admin."),
) -> None:
    """Change an account's role (its open sessions end)."""
    from modgate.ui import set_role as set_role_

    context = get_context(ctx)
    account = set_role_(context.store(), username, role, actor=context.settings().actor)
    console().print(f"{account.username} is now {account.role}")


@app.command("grant-queue")
def grant_queue(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name."),
    policy: str = typer.Argument(..., help="Policy id (no version) of the review queue."),
    community: str | None = typer.Option(
        None, "--community", "-c", help="Only this community's queue (default: all of them)."
    ),
    revoke: bool = typer.Option(False, "--revoke", help="Take the grant away instead."),
) -> None:
    """Let an account see and work a policy's review queue (or one community of it)."""
    from modgate.ui import grant_queue as grant_queue_

    context = get_context(ctx)
    account = grant_queue_(
        context.store(), username, policy, community, revoke=revoke,
        actor=context.settings().actor,
    )  # fmt: skip
    queues = ", ".join(f"{g.policy}/{g.community or '*'}" for g in account.grants) or "none"
    console().print(f"{account.username} queues: {queues}")


__all__ = ["app"]
