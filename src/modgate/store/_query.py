"""Read-only SQL for analysts (`modgate sql`): the database, not a parser, refuses writes."""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from modgate.errors import (
    QueryInterruptedError,
    QueryTimeoutError,
    ReadOnlyViolationError,
    StoreError,
    ValidationError,
)
from modgate.store._readonly import ReadonlyConnection, open_readonly
from modgate.store._sqlite_files import SqliteFile

if TYPE_CHECKING:  # a SqliteFile is queried without SQLAlchemy
    from modgate.store._engine import Store

_WRITE_MARKERS = (
    "readonly database",
    "read-only transaction",
    "not authorized",
    "query_only",
    "read only",
)
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_COPY_STREAM = re.compile(r"^\s*copy\b.*\b(stdout|stdin)\b", re.IGNORECASE | re.DOTALL)


class QueryResult(BaseModel):
    """Rows of one read-only query."""

    model_config = ConfigDict(frozen=True)

    columns: list[str]
    """Column names in order."""
    rows: list[tuple[Any, ...]]
    """Rows, at most the requested limit."""
    truncated: bool = False
    """True when more rows existed than were fetched."""


@contextmanager
def _cancel_on_signals(conn: ReadonlyConnection) -> Iterator[list[int]]:
    """While the query runs, SIGINT/SIGTERM cancel it in the database before the process ends.

    Without this a terminated client leaves its PostgreSQL backend running the query.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        try:
            conn.cancel()
        except Exception:  # noqa: BLE001 - cancelling is best effort; the timeout still holds
            pass

    previous = {number: signal.signal(number, handler) for number in _SIGNALS}
    try:
        yield received
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def run_readonly_query(
    store: Store | SqliteFile, sql: str, *, max_rows: int | None = None
) -> QueryResult:
    """Run one SQL statement on a connection where the database refuses every write.

    The statement stops after the store's `sql_timeout_s`; SIGINT or SIGTERM cancel it in the
    database. On PostgreSQL the connecting user must not be able to escape read-only SQL
    (see `create_reader_role`).

    Args:
        store: The store to query, or a SQLite file at the current schema
            (`current_sqlite_file`: read without SQLAlchemy).
        sql: One SQL statement.
        max_rows: Fetch at most this many rows (None: all).

    Returns:
        Column names and rows.

    Raises:
        ReadOnlyViolationError: The statement tried to change the database; nothing changed.
        QueryTimeoutError: The statement ran past the timeout and was stopped.
        QueryInterruptedError: SIGINT or SIGTERM arrived; the statement was cancelled.
        UnsafeRoleError: PostgreSQL: the connecting user is a superuser or may reach server
            programs or files.
        StoreError: The database rejected the statement (syntax, unknown table…).
        ValidationError: The statement is empty, or `max_rows` is not a positive count.
    """
    if not sql.strip():
        raise ValidationError("empty SQL statement")
    if max_rows is not None and not 0 <= max_rows <= 2**62:
        raise ValidationError(f"row limit {max_rows} is out of range (0 to 2^62)")
    if _COPY_STREAM.match(sql):
        raise ValidationError(
            "COPY … TO STDOUT / FROM STDIN is not available in modgate sql",
            hint='export rows with `modgate sql "SELECT …" --format csv --output FILE`',
        )
    with open_readonly(store) as conn, _cancel_on_signals(conn) as received:
        try:
            return _execute(conn, sql, max_rows)
        except sqlite3.Warning as exc:
            raise ValidationError(f"SQL rejected: {exc}") from exc
        except sqlite3.Error as exc:
            raise _translate(exc, conn, received) from exc
        except Exception as exc:
            import psycopg

            if isinstance(exc, psycopg.Error):
                raise _translate(exc, conn, received) from exc
            raise


def _execute(conn: ReadonlyConnection, sql: str, max_rows: int | None) -> QueryResult:
    cursor = conn.dbapi.cursor()
    if conn.gate is not None:
        conn.gate.restart()
    if conn.dialect == "postgresql":
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
    fetched: list[tuple[Any, ...]] = []
    while len(fetched) <= max_rows:
        chunk = cursor.fetchmany(min(10_000, max_rows + 1 - len(fetched)))
        if not chunk:
            break
        fetched.extend(tuple(r) for r in chunk)
    return QueryResult(columns=columns, rows=fetched[:max_rows], truncated=len(fetched) > max_rows)


def _translate(exc: Exception, conn: ReadonlyConnection, received: list[int]) -> StoreError:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = message.lower()
    if received:
        name = signal.Signals(received[0]).name
        error = QueryInterruptedError(f"query cancelled by {name}; the database stopped it")
        error.exit_code = 128 + received[0]
        return error
    gate = conn.gate
    timed_out = (gate is not None and gate.timed_out) or "statement timeout" in lowered
    if timed_out:
        return QueryTimeoutError(
            f"query stopped after the {conn.timeout_s:g} s statement timeout",
            hint="narrow the query (WHERE, LIMIT), or raise sql_timeout_s in modgate.toml",
        )
    if gate is not None and gate.refused_function is not None and "not authorized" in lowered:
        return ReadOnlyViolationError(
            f"refused: function {gate.refused_function}() is not allowed in modgate sql",
            hint="read-only SQL allows the core, date, math, window and JSON functions "
            "(see docs/sql.md)",
        )
    if "to or from an external program" in lowered or "server files" in lowered:
        return ReadOnlyViolationError(
            f"refused: the reader role may not reach server programs or files ({message})"
        )
    if any(marker in lowered for marker in _WRITE_MARKERS):
        return ReadOnlyViolationError(
            f"refused: modgate sql is read-only and the database rejected a write ({message})",
            hint="use the modgate commands that change state; they record audit events",
        )
    if "permission denied" in lowered:
        return ReadOnlyViolationError(
            f"refused: the reader role may not do this ({message})",
            hint="modgate sql reads modgate's tables only",
        )
    if "multiple commands" in lowered or "one statement" in lowered:
        return StoreError(f"SQL rejected: one statement at a time ({message})")
    return StoreError(f"SQL error: {message}")
