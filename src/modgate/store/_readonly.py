"""Read-only DB-API connections for analyst SQL: the database itself refuses what is not reading.

SQLite: the file is opened `mode=ro`, `PRAGMA query_only` is on, an authorizer denies every
action but reading and every function not on an allow-list (no `fts3_tokenizer`, no
`load_extension`), and a progress handler stops a statement at its deadline. PostgreSQL: the
session defaults to read-only transactions with a `statement_timeout`, the session user is
checked (no superuser, no server-program or server-file roles) after an optional `SET ROLE`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modgate.errors import ConfigError, StoreError
from modgate.store._sqlite_files import SqliteFile, sqlite_readonly_uri

if TYPE_CHECKING:  # a SqliteFile is read without SQLAlchemy
    from modgate.store._engine import Store

SQLITE_FUNCTIONS = frozenset(
    # core scalar functions
    "abs changes char coalesce concat concat_ws format glob hex ifnull iif instr "
    "last_insert_rowid length like likelihood likely lower ltrim max min nullif octet_length "
    "printf quote random randomblob replace round rtrim sign soundex sqlite_source_id "
    "sqlite_version substr substring total_changes trim typeof unhex unicode unistr unlikely "
    "upper zeroblob "
    # aggregates
    "avg count group_concat string_agg sum total "
    # date and time
    "date time datetime julianday unixepoch strftime timediff current_date current_time "
    "current_timestamp "
    # math
    "acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log "
    "log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc "
    # window functions
    "row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value "
    "nth_value "
    # JSON (json_each and json_tree are table-valued: they are read like tables)
    "json json_array json_array_length json_error_position json_extract json_insert "
    "json_object json_patch json_pretty json_remove json_replace json_set json_type "
    "json_valid json_quote json_group_array json_group_object jsonb jsonb_array "
    "jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove jsonb_replace jsonb_set "
    "jsonb_group_array jsonb_group_object".split()
)
"""SQL functions `modgate sql` may call on SQLite; any other (`fts3_tokenizer`,
`load_extension`, …) is refused by the authorizer."""

_SQLITE_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
_PROGRESS_STEPS = 1000


class SqliteGate:
    """The authorizer and deadline of one read-only SQLite connection."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + timeout_s
        self.refused_function: str | None = None
        self.timed_out = False

    def restart(self) -> None:
        """Start the statement clock again (call before each statement)."""
        self.deadline = time.monotonic() + self.timeout_s
        self.timed_out = False

    def authorize(self, action: int, arg1: str | None, arg2: str | None, *_rest: object) -> int:
        """SQLite authorizer: reading and allow-listed functions only."""
        if action in _SQLITE_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
            # SQLite itself reports this while it declares a table-valued function's columns
            # (json_each, json_tree); a real schema write is refused by mode=ro and query_only.
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in SQLITE_FUNCTIONS:
                return sqlite3.SQLITE_OK
            self.refused_function = arg2
        return sqlite3.SQLITE_DENY

    def progress(self) -> int:
        """SQLite progress handler: non-zero stops the statement past its deadline."""
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0


class ReadonlyConnection:
    """A DB-API connection on which the database refuses every write, with its safeguards.

    Attributes:
        dialect: `sqlite` or `postgresql`.
        dbapi: The sqlite3 or psycopg connection.
        timeout_s: Statement timeout in seconds.
        gate: SQLite only: the authorizer and deadline.
    """

    def __init__(
        self, dialect: str, dbapi: Any, timeout_s: float, gate: SqliteGate | None = None
    ) -> None:
        self.dialect = dialect
        self.dbapi = dbapi
        self.timeout_s = timeout_s
        self.gate = gate

    def cancel(self) -> None:
        """Stop the running statement (safe to call from a signal handler or another thread)."""
        if self.dialect == "sqlite":
            self.dbapi.interrupt()
        else:
            self.dbapi.cancel_safe(timeout=5.0)


@contextmanager
def open_readonly(store: Store | SqliteFile) -> Iterator[ReadonlyConnection]:
    """Open a read-only connection for analyst SQL on the store's database (or a SQLite file).

    Yields:
        The connection; closed (PostgreSQL: rolled back) on exit.

    Raises:
        ConfigError: In-memory SQLite, or a PostgreSQL user that could escape read-only SQL.
        StoreError: The database cannot be opened.
    """
    timeout_s = store.sql_timeout_s
    if isinstance(store, SqliteFile) or store.dialect == "sqlite":
        database = str(store.path) if isinstance(store, SqliteFile) else store.engine.url.database
        if not database or database == ":memory:":
            raise ConfigError("read-only queries need a SQLite file, not an in-memory database")
        if not Path(database).is_file():
            raise StoreError(f"no database at {database}", hint="run `modgate db upgrade`")
        conn = sqlite3.connect(sqlite_readonly_uri(Path(database)), uri=True)
        gate = SqliteGate(timeout_s)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.set_authorizer(gate.authorize)
            conn.set_progress_handler(gate.progress, _PROGRESS_STEPS)
            yield ReadonlyConnection("sqlite", conn, timeout_s, gate)
        finally:
            conn.close()
        return
    import psycopg
    from psycopg import sql as pgsql
    from sqlalchemy.engine import make_url

    # the role checks read the whole schema's metadata; SQLite reads never need them
    from modgate.store._reader_role import check_reader_session

    url = make_url(store.sql_url) if store.sql_url else store.engine.url
    timeout_ms = max(1, round(timeout_s * 1000))
    conn_pg = psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        options=f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}",
        connect_timeout=10,
        autocommit=False,
    )
    try:
        conn_pg.execute("SET TRANSACTION READ ONLY")
        if store.sql_role:
            try:
                conn_pg.execute(pgsql.SQL("SET ROLE {}").format(pgsql.Identifier(store.sql_role)))
            except psycopg.Error as exc:
                raise ConfigError(
                    f"cannot SET ROLE {store.sql_role}: {str(exc).strip().splitlines()[0]}",
                    hint="create it with `modgate db create-reader-role NAME` and grant it to "
                    "the connecting user, or unset sql_role",
                ) from exc
        check_reader_session(conn_pg)
        yield ReadonlyConnection("postgresql", conn_pg, timeout_s)
    finally:
        try:
            conn_pg.rollback()
        finally:
            conn_pg.close()


@contextmanager
def readonly_dbapi_connection(store: Store) -> Iterator[Any]:
    """A DB-API connection on which the database itself refuses every write.

    See `open_readonly` for the safeguards (authorizer, timeout, role check).

    Yields:
        A DB-API connection (sqlite3 or psycopg).
    """
    with open_readonly(store) as conn:
        yield conn.dbapi
