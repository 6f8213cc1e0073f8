"""Database driver errors → named `StoreError`s with a message a user can act on."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import SQLAlchemyError

from modgate.errors import StoreError

_DAMAGED = ("file is not a database", "database disk image is malformed", "malformed database")
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connection failed",
    "could not translate host name",
    "timeout expired",
    "no route to host",
    "name or service not known",
    "server closed the connection",
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def translate_database_error(exc: BaseException) -> StoreError | None:
    """A clear `StoreError` for a driver or SQLAlchemy error, or None for anything else.

    Covers a damaged or non-SQLite file, a read-only database written to, an unopenable file,
    and an unreachable PostgreSQL server; any other database error keeps its first line.

    Args:
        exc: The exception that reached the entry point.

    Returns:
        The error to show, or None when `exc` does not come from the database layer.
    """
    original: BaseException = getattr(exc, "orig", None) or exc
    is_psycopg = type(original).__module__.startswith("psycopg")
    if not isinstance(exc, SQLAlchemyError | sqlite3.Error) and not is_psycopg:
        return None
    message = _first_line(original)
    lowered = message.lower()
    if any(marker in lowered for marker in _DAMAGED):
        return StoreError(
            f"the database file is damaged or not a SQLite database ({message})",
            hint="restore modgate.db from a backup, or point database_url at the right file",
        )
    if "readonly database" in lowered or "read-only file system" in lowered:
        return StoreError(
            f"the database is read-only and this command writes ({message})",
            hint="read commands work on a read-only workspace; run writes where the "
            "workspace folder and modgate.db are writable",
        )
    if "unable to open database file" in lowered:
        return StoreError(
            f"cannot open the SQLite database ({message})",
            hint="check that the workspace folder exists and is readable",
        )
    if any(marker in lowered for marker in _UNREACHABLE):
        return StoreError(
            f"cannot reach the database: {message}",
            hint="check database_url (MODGATE_DATABASE_URL) and that the server is running",
        )
    return StoreError(f"database error: {message}")
