"""Read-only SQL for analysts (`modgate sql`): the database, not a parser, refuses writes."""

from __future__ import annotations

import sqlite3
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.errors import ReadOnlyViolationError, StoreError, ValidationError
from modgate.store._engine import Store, readonly_dbapi_connection

_WRITE_MARKERS = (
    "readonly database",
    "read-only transaction",
    "not authorized",
    "query_only",
    "read only",
)


class QueryResult(BaseModel):
    """Rows of one read-only query."""

    model_config = ConfigDict(frozen=True)

    columns: list[str]
    """Column names in order."""
    rows: list[tuple[Any, ...]]
    """Rows, at most the requested limit."""
    truncated: bool = False
    """True when more rows existed than were fetched."""


def run_readonly_query(store: Store, sql: str, *, max_rows: int | None = None) -> QueryResult:
    """Run one SQL statement on a connection where the database refuses every write.

    Args:
        store: The store to query.
        sql: One SQL statement.
        max_rows: Fetch at most this many rows (None: all).

    Returns:
        Column names and rows.

    Raises:
        ReadOnlyViolationError: The statement tried to change the database; nothing changed.
        StoreError: The database rejected the statement (syntax, unknown table…).
        ValidationError: The statement is empty.
    """
    if not sql.strip():
        raise ValidationError("empty SQL statement")
    with readonly_dbapi_connection(store) as conn:
        try:
            cursor = conn.cursor()
            if store.dialect == "postgresql":
                # prepare=True forces the extended protocol: one statement only, so a
                # "COMMIT; DELETE …" chain is refused by the server.
                cursor.execute(sql, prepare=True)
            else:
                cursor.execute(sql)
            if cursor.description is None:
                return QueryResult(columns=[], rows=[])
            columns = [str(d[0]) for d in cursor.description]
            if max_rows is None:
                rows = [tuple(r) for r in cursor.fetchall()]
                return QueryResult(columns=columns, rows=rows)
            fetched = [tuple(r) for r in cursor.fetchmany(max_rows + 1)]
            return QueryResult(
                columns=columns, rows=fetched[:max_rows], truncated=len(fetched) > max_rows
            )
        except sqlite3.Warning as exc:
            raise ValidationError(f"SQL rejected: {exc}") from exc
        except sqlite3.Error as exc:
            raise _translate(exc) from exc
        except Exception as exc:
            import psycopg

            if isinstance(exc, psycopg.Error):
                raise _translate(exc) from exc
            raise


def _translate(exc: Exception) -> StoreError:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if any(marker in message.lower() for marker in _WRITE_MARKERS):
        return ReadOnlyViolationError(
            f"refused: modgate sql is read-only and the database rejected a write ({message})",
            hint="use the modgate commands that change state; they record audit events",
        )
    if "multiple commands" in message.lower() or "one statement" in message.lower():
        return StoreError(f"SQL rejected: one statement at a time ({message})")
    return StoreError(f"SQL error: {message}")
