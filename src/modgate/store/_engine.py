"""The `Store`: an engine on SQLite (default) or PostgreSQL, plus read-only connections."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool, QueuePool

from modgate.config import Settings
from modgate.errors import ConfigError, StoreError
from modgate.store._sqlite_files import sqlite_readonly_uri, writable

DEFAULT_SQL_TIMEOUT_S = 60.0
"""Default statement timeout of read-only SQL, in seconds."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_readonly_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # No journal-mode change: on a read-only file that would be a write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_is_read_only(path: Path) -> bool:
    return path.is_file() and not (writable(path) and writable(path.parent))


class Store:
    """A database modgate keeps its state in.

    Create one per entry point with `Store.from_url` (or `open_store(settings)`) and pass it
    down; close it when done.

    Attributes:
        engine: The SQLAlchemy engine.
        read_only: SQLite opened read-only (`mode=ro`, no WAL writes); every write fails.
        sql_url: PostgreSQL URL read-only SQL connects with (None: the store's own).
        sql_role: PostgreSQL role read-only SQL switches to after connecting.
        sql_timeout_s: Statement timeout of read-only SQL, in seconds.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        sql_url: str | None = None,
        sql_role: str | None = None,
        sql_timeout_s: float = DEFAULT_SQL_TIMEOUT_S,
    ) -> None:
        self.engine = engine
        self.read_only = read_only
        self.sql_url = sql_url
        self.sql_role = sql_role
        self.sql_timeout_s = sql_timeout_s

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        echo: bool = False,
        read_only: bool | None = None,
        create: bool = True,
        sql_url: str | None = None,
        sql_role: str | None = None,
        sql_timeout_s: float = DEFAULT_SQL_TIMEOUT_S,
        pooled: bool = False,
    ) -> Store:
        """Open a store on a SQLAlchemy URL.

        Args:
            url: `sqlite:///PATH` or `postgresql+psycopg://USER@HOST:PORT/DB`.
            echo: Log every SQL statement.
            read_only: SQLite: open the file read-only. None (default): read-only exactly
                when the file or its folder is not writable.
            create: SQLite: create the file (and its folder) when missing; False refuses.
            sql_url: PostgreSQL URL for read-only SQL (a reader login); default `url`.
            sql_role: PostgreSQL role read-only SQL switches to (`SET ROLE`).
            sql_timeout_s: Statement timeout of read-only SQL, in seconds.
            pooled: SQLite: keep connections open in a pool (shareable across threads)
                instead of opening one per use; for long-running processes (the service and
                the worker), where opening a file and setting its pragmas per transaction
                would be a large part of each request. PostgreSQL always pools.

        Raises:
            ConfigError: The URL's dialect is not supported.
            StoreError: `create` is false and the SQLite file does not exist.
        """
        parsed = make_url(url)
        readonly = False
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                path = Path(database)
                if not path.exists() and not create:
                    raise StoreError(
                        f"no database at {path}",
                        hint="run `modgate db upgrade` to create it, or `modgate init`",
                    )
                readonly = _sqlite_is_read_only(path) if read_only is None else read_only
                if not readonly:
                    path.parent.mkdir(parents=True, exist_ok=True)
            if readonly:
                uri = sqlite_readonly_uri(Path(str(database)))
                engine = create_engine(
                    url,
                    echo=echo,
                    poolclass=NullPool,
                    creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                )
                event.listen(engine, "connect", _sqlite_readonly_pragmas)
            else:
                engine = (
                    create_engine(
                        url,
                        echo=echo,
                        poolclass=QueuePool,
                        pool_size=4,
                        max_overflow=8,
                        connect_args={"check_same_thread": False},
                    )  # fmt: skip
                    if pooled
                    else create_engine(url, echo=echo, poolclass=NullPool)
                )
                event.listen(engine, "connect", _sqlite_pragmas)
        elif parsed.get_backend_name() == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
        else:
            raise ConfigError(
                f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
            )
        return cls(
            engine,
            read_only=readonly,
            sql_url=sql_url,
            sql_role=sql_role,
            sql_timeout_s=sql_timeout_s,
        )

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


def open_store(settings: Settings, *, create: bool = True, read_only: bool | None = None) -> Store:
    """Open the store that settings point at (workspace SQLite file by default).

    Args:
        settings: The settings (database URL, read-only SQL access and timeout).
        create: SQLite: create the database file when missing (False: `StoreError`).
        read_only: SQLite: open read-only (None: when the file or folder is not writable).
    """
    return Store.from_url(
        settings.resolved_database_url,
        read_only=read_only,
        create=create,
        sql_url=settings.sql_database_url,
        sql_role=settings.sql_role,
        sql_timeout_s=settings.sql_timeout_s,
    )
