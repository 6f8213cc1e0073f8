"""`modgate keys`: API keys of the HTTP service (stored hashed; the key is shown once)."""

from __future__ import annotations

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_models

app = typer.Typer(help="API keys of the HTTP service: create, list, revoke.")


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What the key is for (shown by `keys list`)."),
    scope: list[str] = typer.Option(
        ..., "--scope", "-s", help="A scope to grant: moderate, read, review or admin (repeatable)."
    ),
) -> None:
    """Create an API key; prints the key once (only its scrypt hash is stored)."""
    from modgate.serve import create_api_key  # the service's libraries load on use

    context = get_context(ctx)
    created = create_api_key(context.store(), name, scope, actor=context.settings().actor)
    err_console().print(
        f"created key {created.record.id} ({', '.join(created.record.scopes)}); "
        "store it now, it cannot be shown again:"
    )
    console().print(created.key, highlight=False, soft_wrap=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    active: bool = typer.Option(False, "--active", help="Only keys not revoked."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """List API keys (ids, names, scopes, revocation; never secrets)."""
    from modgate.serve import list_api_keys

    keys = list_api_keys(get_context(ctx).store(), include_revoked=not active)
    write_models(keys, fmt, title="API keys")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    key_id: str = typer.Argument(..., help="Id of the key (from `keys list`)."),
) -> None:
    """Revoke an API key; a running service refuses it within its key cache time (5 s)."""
    from modgate.serve import revoke_api_key

    context = get_context(ctx)
    record = revoke_api_key(context.store(), key_id, actor=context.settings().actor)
    console().print(f"revoked {record.id} at {record.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


__all__ = ["app"]
