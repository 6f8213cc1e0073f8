"""`modgate sql` on a SQLite file without a `Store`: same rows, same refusals, same fallbacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modgate.domain import Item
from modgate.errors import ReadOnlyViolationError, StoreError
from modgate.store import (
    SqliteFile,
    Store,
    current_sqlite_file,
    run_readonly_query,
    save_items,
)
from modgate.store._sqlite_files import sqlite_file_path


def _path(store: Store) -> Path:
    return Path(str(store.engine.url.database))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////tmp/ws/modgate.db", Path("/tmp/ws/modgate.db")),
        ("sqlite:///relative.db", Path("relative.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///x.db?mode=ro", None),
        ("sqlite:///a%20b.db", None),
        ("postgresql+psycopg://u@h/db", None),
    ],
)
def test_only_a_plain_sqlite_file_url_names_a_file(url: str, expected: Path | None) -> None:
    assert sqlite_file_path(url) == expected


def test_a_current_file_is_read_without_the_store(sqlite_store: Store) -> None:
    save_items(sqlite_store, [Item(id=f"i{n}", body=f"text {n}") for n in range(4)], actor="t")
    found = current_sqlite_file(f"sqlite:///{_path(sqlite_store)}", 5.0)
    assert found == SqliteFile(_path(sqlite_store), 5.0)
    query = "SELECT id, body FROM items ORDER BY id"
    assert run_readonly_query(found, query) == run_readonly_query(sqlite_store, query)
    assert run_readonly_query(found, query, max_rows=3).truncated


@pytest.mark.parametrize("statement", ["DELETE FROM items", "DROP TABLE items"])
def test_the_file_refuses_writes_as_the_store_does(sqlite_store: Store, statement: str) -> None:
    found = current_sqlite_file(f"sqlite:///{_path(sqlite_store)}", 5.0)
    assert found is not None
    with pytest.raises(ReadOnlyViolationError):
        run_readonly_query(found, statement)
    with pytest.raises(StoreError, match="syntax error"):
        run_readonly_query(found, "SELEC 1")


def test_any_other_schema_or_file_goes_through_the_store(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = _path(sqlite_store)
    assert current_sqlite_file(f"sqlite:///{tmp_path / 'missing.db'}", 5.0) is None
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_core' WHERE rowid = 1")
    conn.close()
    assert current_sqlite_file(f"sqlite:///{path}", 5.0) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert current_sqlite_file(f"sqlite:///{empty}", 5.0) is None
