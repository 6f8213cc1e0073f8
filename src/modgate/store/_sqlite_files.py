"""SQLite files opened for reading with the standard library alone (no SQLAlchemy, no engine).

`modgate sql` on the workspace's SQLite file needs neither: it reads through a plain `sqlite3`
connection (`_readonly.open_readonly`) and checks the schema revision with one query, which
keeps SQLAlchemy's import (about a third of the command's CPU) out of it. Anything else (a
PostgreSQL URL, a URL with options, a missing file, a schema that is not current) goes through
the `Store`, whose checks say what is wrong.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from modgate.store._revisions import HEADS

_SQLITE_PREFIX = "sqlite:///"


@dataclass(frozen=True)
class SqliteFile:
    """A SQLite database file at the current schema, read without a `Store`.

    Attributes:
        path: The database file.
        sql_timeout_s: Statement timeout of read-only SQL, in seconds.
    """

    path: Path
    sql_timeout_s: float

    @property
    def dialect(self) -> str:
        """Always `sqlite`."""
        return "sqlite"


def writable(path: Path) -> bool:
    """Whether `path` may be written: permitted, and not marked read-only by its mode bits.

    The mode bits count even for root (who may write anyway): a workspace made read-only
    with `chmod a-w` is treated as read-only by everyone.
    """
    try:
        return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)
    except OSError:
        return False


def sqlite_readonly_uri(path: Path) -> str:
    """A `file:` URI that opens a SQLite file read-only.

    When the folder is not writable either, SQLite could not create the `-wal`/`-shm` files a
    WAL database needs even for reading, so the file is opened `immutable` (nobody without
    write access to the folder can be changing it underneath).
    """
    resolved = path.resolve()
    uri = f"file:{quote(str(resolved))}?mode=ro"
    if not writable(resolved.parent):
        uri += "&immutable=1"
    return uri


def sqlite_file_path(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL (None: another database, memory, options)."""
    if not url.startswith(_SQLITE_PREFIX):
        return None
    rest = url[len(_SQLITE_PREFIX) :]
    if not rest or rest == ":memory:" or "?" in rest or "%" in rest:
        return None
    return Path(rest)


def current_sqlite_file(url: str, sql_timeout_s: float) -> SqliteFile | None:
    """The SQLite file of `url` when it exists and its schema is exactly the code's heads.

    Args:
        url: The database URL (settings' `resolved_database_url`).
        sql_timeout_s: Statement timeout of read-only SQL, in seconds.

    Returns:
        The file, or None when the caller must open the `Store` (not a plain SQLite file, no
        such file, or a schema that differs: the store's own checks then give the error).
    """
    path = sqlite_file_path(url)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(sqlite_readonly_uri(path), uri=True)
    except sqlite3.Error:
        return None
    try:
        heads = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return SqliteFile(path, sql_timeout_s) if sorted(heads) == sorted(HEADS) else None


__all__ = [
    "SqliteFile",
    "current_sqlite_file",
    "sqlite_file_path",
    "sqlite_readonly_uri",
    "writable",
]
