"""The `Store`: an engine on SQLite (default) or PostgreSQL, plus read-only connections."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from modgate.config import Settings
from modgate.errors import ConfigError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Store:
    """A database modgate keeps its state in.

    Create one per entry point with `Store.from_url` (or `open_store(settings)`) and pass it
    down; close it when done.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Store:
        """Open a store on a SQLAlchemy URL.

        Args:
            url: `sqlite:///PATH` or `postgresql+psycopg://USER@HOST:PORT/DB`.
            echo: Log every SQL statement.

        Raises:
            ConfigError: The URL's dialect is not supported.
        """
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, echo=echo, poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_pragmas)
        elif parsed.get_backend_name() == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
        else:
            raise ConfigError(
                f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
            )
        return cls(engine)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside a transaction that commits on success, rolls back on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection (autobegin; commit explicitly)."""
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _deny_writes(action: int, *_args: object) -> int:
    # The SQLite authorizer is the database's own gate: anything but reading is refused.
    allowed = {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
    }
    return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY


@contextmanager
def readonly_dbapi_connection(store: Store) -> Iterator[Any]:
    """A DB-API connection on which the database itself refuses every write.

    SQLite: the file is opened with `mode=ro`, `PRAGMA query_only` is set and an authorizer
    denies anything but reading. PostgreSQL: the session defaults to read-only transactions and
    the transaction is opened `READ ONLY` with a first query already run, after which
    PostgreSQL refuses to switch it to read-write.

    Yields:
        A DB-API connection (sqlite3 or psycopg).
    """
    if store.dialect == "sqlite":
        database = store.engine.url.database
        if not database or database == ":memory:":
            raise ConfigError("read-only queries need a SQLite file, not an in-memory database")
        uri = f"file:{Path(database).resolve()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.set_authorizer(_deny_writes)
            yield conn
        finally:
            conn.close()
        return
    import psycopg

    url = store.engine.url
    conn_pg = psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        options="-c default_transaction_read_only=on",
        autocommit=False,
    )
    try:
        conn_pg.execute("SET TRANSACTION READ ONLY")
        conn_pg.execute("SELECT 1")
        yield conn_pg
    finally:
        conn_pg.rollback()
        conn_pg.close()


def open_store(settings: Settings) -> Store:
    """Open the store that settings point at (workspace SQLite file by default)."""
    return Store.from_url(settings.resolved_database_url)
