"""PostgreSQL roles for read-only SQL: create a reader, refuse roles that could escape.

A read-only transaction stops writes to tables, not what a privileged role can do inside one:
a superuser (or a member of `pg_execute_server_program`, `pg_read_server_files`,
`pg_write_server_files`) can run programs with `COPY … TO PROGRAM` and read server files with
`pg_read_file`. `SET ROLE` to a reader does not help while the *session* user is privileged:
one statement can switch back (`set_config('role', 'postgres', false)`) and run a query string
as the superuser (`query_to_xml`). So the check is on every role the session user can become.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.errors import ConfigError, UnsafeRoleError
from modgate.store._engine import Store
from modgate.store._tables import metadata

DANGEROUS_ROLES = ("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files")
"""Predefined roles whose members can reach the server's programs or files."""

_ESCAPING_ROLES = """
    SELECT r.rolname, r.rolsuper
    FROM pg_roles r
    WHERE pg_has_role({who}, r.oid, 'MEMBER')
      AND (r.rolsuper OR r.rolname = ANY(%(names)s))
    ORDER BY r.rolname
"""
_ROLE_NAME = r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$"


def escaping_roles(conn: Any) -> list[str]:
    """Roles the session user can act as that could escape read-only SQL.

    Args:
        conn: A psycopg connection (DB-API).

    Returns:
        `name (superuser)` or `name` for each such role, empty when the session is safe.
    """
    query = _ESCAPING_ROLES.format(who="session_user")
    rows = conn.execute(query, {"names": list(DANGEROUS_ROLES)}).fetchall()
    return [f"{name} (superuser)" if superuser else str(name) for name, superuser in rows]


def check_reader_session(conn: Any) -> None:
    """Refuse a session whose user could escape read-only SQL.

    Args:
        conn: A psycopg connection, after any `SET ROLE`.

    Raises:
        UnsafeRoleError: The session user is, or can become, a superuser or a member of a
            role in `DANGEROUS_ROLES`.
    """
    found = escaping_roles(conn)
    if not found:
        return
    user, superuser = conn.execute(
        "SELECT session_user, rolsuper FROM pg_roles WHERE rolname = session_user"
    ).fetchone()
    what = "is a superuser" if superuser else f"can act as {', '.join(found[:4])}"
    raise UnsafeRoleError(
        f"refusing to run read-only SQL as PostgreSQL user {user!r}: it {what}, which can "
        "run server programs and read server files even inside a read-only transaction",
        hint="create a reader with `modgate db create-reader-role modgate_reader --login` "
        "and set sql_database_url = postgresql+psycopg://modgate_reader@HOST/DB in "
        "modgate.toml (see docs/sql.md); SET ROLE from a superuser session is not enough",
    )


class ReaderRole(BaseModel):
    """What `create_reader_role` did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The role."""
    created: bool
    """False when the role existed and only its grants were refreshed."""
    tables: list[str]
    """Tables it may read (every modgate table present in the database)."""


def create_reader_role(store: Store, name: str, *, login: bool = False) -> ReaderRole:
    """Create (or refresh) a PostgreSQL role that may only read modgate's tables.

    The role gets `CONNECT` on the database, `USAGE` on the schema and `SELECT` on each
    modgate table, nothing else; run it again after `modgate db upgrade` to cover new tables
    (it is idempotent). A role that exists is checked: one that could escape read-only SQL is
    refused rather than granted to.

    Args:
        store: A PostgreSQL store, connected as a role that may create roles and grant.
        name: Role name (letters, digits, `_`, `$`; not starting with a digit).
        login: `LOGIN` (connect as it with `sql_database_url`) or `NOLOGIN` (for `sql_role`).

    Returns:
        The role, whether it was created and the tables it may read.

    Raises:
        ConfigError: The store is not PostgreSQL, or the name is not a plain identifier.
        UnsafeRoleError: The role exists and is a superuser or a member of a dangerous role.
    """
    from psycopg import sql as pgsql

    if store.dialect != "postgresql":
        raise ConfigError(
            "reader roles are a PostgreSQL feature; on SQLite `modgate sql` opens the file "
            "read-only already"
        )
    if not re.match(_ROLE_NAME, name):
        raise ConfigError(f"role name {name!r} must be letters, digits, _ or $ (max 63)")
    role = pgsql.Identifier(name)
    tables = [t.name for t in metadata.sorted_tables]
    raw = store.engine.raw_connection()
    try:
        pg: Any = raw.driver_connection
        with pg.transaction():
            exists = pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
            if exists is None:
                option = pgsql.SQL("LOGIN" if login else "NOLOGIN")
                pg.execute(pgsql.SQL("CREATE ROLE {} {}").format(role, option))
            else:
                bad = pg.execute(
                    _ESCAPING_ROLES.format(who="%(role)s"),
                    {"role": name, "names": list(DANGEROUS_ROLES)},
                ).fetchall()
                if bad:
                    raise UnsafeRoleError(
                        f"role {name!r} exists and can act as "
                        f"{', '.join(str(r[0]) for r in bad)}: not a reader",
                        hint="pick another name, or revoke those memberships first",
                    )
                if login:
                    pg.execute(pgsql.SQL("ALTER ROLE {} LOGIN").format(role))
            database = pg.execute("SELECT current_database(), current_schema()").fetchone()
            pg.execute(
                pgsql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    pgsql.Identifier(database[0]), role
                )
            )
            pg.execute(
                pgsql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                    pgsql.Identifier(database[1]), role
                )
            )
            present = {
                row[0]
                for row in pg.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchall()
            }
            granted = [t for t in tables if t in present]
            for table in granted:
                pg.execute(
                    pgsql.SQL("GRANT SELECT ON {} TO {}").format(pgsql.Identifier(table), role)
                )
    finally:
        raw.close()
    return ReaderRole(name=name, created=exists is None, tables=granted)
