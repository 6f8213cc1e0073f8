"""`modgate db`: schema migrations."""

from __future__ import annotations

import typer

from modgate.cli._context import get_context
from modgate.cli._output import console
from modgate.store import current_revision, head_revision, upgrade_database

app = typer.Typer(help="Database schema: upgrade to the newest migration, show the current one.")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the workspace database to the newest schema (Alembic migrations)."""
    context = get_context(ctx)
    store = context.store(check_schema=False)
    before = current_revision(store)
    after = upgrade_database(store, actor=context.settings().actor)
    console().print(f"database at {after} (was {before or 'empty'})")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the newest one this modgate knows."""
    store = get_context(ctx).store(check_schema=False)
    now = current_revision(store)
    head = head_revision()
    state = "up to date" if now == head else "needs `modgate db upgrade`"
    console().print(f"current: {now or 'empty'}  newest: {head}  ({state})")
