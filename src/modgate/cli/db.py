"""`modgate db`: schema migrations."""

from __future__ import annotations

import typer

from modgate.cli._context import get_context
from modgate.cli._output import console

app = typer.Typer(
    help="Database: upgrade the schema, show its revision, create a reader role for SQL."
)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the workspace database to the newest schema (Alembic migrations)."""
    from modgate.store import current_revision, upgrade_database

    context = get_context(ctx)
    store = context.store(check_schema=False, create=True)
    before = current_revision(store)
    after = upgrade_database(store, actor=context.settings().actor)
    console().print(f"database at {after} (was {before or 'empty'})")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the newest one this modgate knows."""
    from modgate.store import (
        current_revision,
        head_revision,
        is_known_revision,
        newer_database_error,
    )

    store = get_context(ctx).store(check_schema=False)
    now = current_revision(store)
    head = head_revision()
    if now is not None and not is_known_revision(now):
        raise newer_database_error(store, now)
    state = "up to date" if now == head else "needs `modgate db upgrade`"
    console().print(f"current: {now or 'empty'}  newest: {head}  ({state})")


@app.command("create-reader-role")
def create_reader_role_cmd(
    ctx: typer.Context,
    name: str = typer.Argument("modgate_reader", help="Role name."),
    login: bool = typer.Option(
        False,
        "--login/--nologin",
        help="LOGIN (connect as it: sql_database_url) or NOLOGIN (switch to it: sql_role).",
    ),
) -> None:
    """PostgreSQL: create a role that may only SELECT modgate's tables, for `modgate sql`.

    Idempotent; run it again after `modgate db upgrade` so new tables are readable. Run it as
    a role that may create roles and grant on modgate's tables (the database owner).
    """
    from modgate.store import create_reader_role

    role = create_reader_role(get_context(ctx).store(), name, login=login)
    verb = "created" if role.created else "refreshed"
    console().print(f"{verb} role {role.name}: SELECT on {len(role.tables)} modgate tables")
    if login:
        console().print(
            f'set sql_database_url = "postgresql+psycopg://{role.name}@HOST:PORT/DB" in '
            "modgate.toml (or MODGATE_SQL_DATABASE_URL); give it a password with ALTER ROLE"
        )
    else:
        console().print(
            f"grant it to the analysts' login (GRANT {role.name} TO analyst) and set "
            f'sql_role = "{role.name}"; that login must not be a superuser'
        )
