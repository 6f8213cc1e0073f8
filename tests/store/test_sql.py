from __future__ import annotations

import pytest

from modgate.domain import Item
from modgate.errors import ReadOnlyViolationError, StoreError, ValidationError
from modgate.store import Store, count_items, run_readonly_query, save_items


@pytest.fixture
def filled(store: Store) -> Store:
    save_items(store, [Item(id=f"i{n}", body=f"text {n}") for n in range(5)], actor="t")
    return store


def test_select_returns_columns_and_rows(filled: Store) -> None:
    result = run_readonly_query(filled, "SELECT id, body FROM items ORDER BY id")
    assert result.columns == ["id", "body"]
    assert [r[0] for r in result.rows] == ["i0", "i1", "i2", "i3", "i4"]
    assert not result.truncated


def test_max_rows_truncates(filled: Store) -> None:
    result = run_readonly_query(filled, "SELECT id FROM items ORDER BY id", max_rows=2)
    assert len(result.rows) == 2
    assert result.truncated


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM items",
        "UPDATE items SET body = 'x'",
        "INSERT INTO items (id, kind, body, content_hash, imported_at, updated_at) "
        "VALUES ('z', 'other', 'b', 'h', '2026-01-01', '2026-01-01')",
        "DROP TABLE items",
        "CREATE TABLE evil (x int)",
        "WITH gone AS (DELETE FROM items RETURNING id) SELECT count(*) FROM gone",
    ],
)
def test_writes_are_refused_and_change_nothing(filled: Store, statement: str) -> None:
    with pytest.raises(StoreError) as info:
        run_readonly_query(filled, statement)
    assert "read-only" in str(info.value) or isinstance(info.value, StoreError)
    assert count_items(filled) == 5
    assert run_readonly_query(filled, "SELECT count(*) FROM items").rows[0][0] == 5


def test_delete_is_a_read_only_violation(filled: Store) -> None:
    with pytest.raises(ReadOnlyViolationError):
        run_readonly_query(filled, "DELETE FROM items")
    assert count_items(filled) == 5


@pytest.mark.parametrize(
    "statement",
    [
        "COMMIT; DELETE FROM items",
        "SELECT 1; DELETE FROM items",
        "SET transaction_read_only = off; DELETE FROM items",
    ],
)
def test_statement_chains_cannot_escape(filled: Store, statement: str) -> None:
    with pytest.raises((StoreError, ValidationError)):
        run_readonly_query(filled, statement)
    assert count_items(filled) == 5


def test_postgres_cannot_switch_transaction_to_read_write(postgres_store: Store) -> None:
    save_items(postgres_store, [Item(id="a", body="b")], actor="t")
    with pytest.raises(StoreError):
        run_readonly_query(
            postgres_store, "SELECT set_config('transaction_read_only', 'off', false)"
        )
    assert count_items(postgres_store) == 1


def test_sqlite_pragma_cannot_lift_read_only(sqlite_store: Store) -> None:
    with pytest.raises(StoreError):
        run_readonly_query(sqlite_store, "PRAGMA query_only = 0")


def test_syntax_error_is_a_store_error(filled: Store) -> None:
    with pytest.raises(StoreError, match="SQL error"):
        run_readonly_query(filled, "SELEC nonsense")


def test_empty_statement_is_rejected(filled: Store) -> None:
    with pytest.raises(ValidationError):
        run_readonly_query(filled, "   ")
