from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from modgate.store import Store, audit_events, bulk_insert, bulk_upsert, items


def _row(n: int, body: str = "b") -> dict[str, object]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "id": f"r{n}",
        "kind": "other",
        "community": None,
        "title": None,
        "body": f"{body}{n}",
        "url": None,
        "author_id": None,
        "author": None,
        "parent_id": None,
        "parent_text": None,
        "created_at": now,
        "language": None,
        "meta": {"n": n, "quote": 'a "q", b\tc\nd\\e'},
        "content_hash": "h",
        "imported_at": now,
        "updated_at": now,
    }


def test_bulk_insert_writes_all_rows_with_special_characters(store: Store) -> None:
    with store.begin() as conn:
        assert bulk_insert(conn, items, [_row(n) for n in range(3000)]) == 3000
    with store.connect() as conn:
        rows = conn.execute(select(items.c.id, items.c.meta).order_by(items.c.id)).all()
    assert len(rows) == 3000
    assert rows[0].meta["quote"] == 'a "q", b\tc\nd\\e'


def test_bulk_upsert_updates_existing_rows(store: Store) -> None:
    with store.begin() as conn:
        bulk_insert(conn, items, [_row(n) for n in range(10)])
    with store.begin() as conn:
        bulk_upsert(
            conn, items, [_row(n, "new") for n in range(5, 15)], key=["id"], update=["body"]
        )
    with store.connect() as conn:
        bodies = dict(conn.execute(select(items.c.id, items.c.body)).all())
    assert len(bodies) == 15
    assert bodies["r4"] == "b4"
    assert bodies["r5"] == "new5"
    assert bodies["r14"] == "new14"


def test_bulk_insert_of_nothing_is_a_no_op(store: Store) -> None:
    with store.begin() as conn:
        assert bulk_insert(conn, audit_events, []) == 0


def test_insert_new_rows_returns_only_the_rows_it_inserted(store: Store) -> None:
    from modgate.store import insert_new_rows

    with store.begin() as conn:
        first = insert_new_rows(
            conn, items, [_row(n) for n in range(5)], key=["id"], returning="id"
        )
    assert sorted(first) == [f"r{n}" for n in range(5)]
    with store.begin() as conn:  # a replay with two new rows: only those come back
        again = insert_new_rows(
            conn, items, [_row(n, body="x") for n in range(7)], key=["id"], returning="id"
        )
    assert sorted(again) == ["r5", "r6"]
    with store.connect() as conn:
        bodies = dict(conn.execute(select(items.c.id, items.c.body)).all())
    assert bodies["r0"] == "b0" and bodies["r6"] == "x6"  # stored rows are left unchanged
    with store.begin() as conn:
        assert insert_new_rows(conn, items, [], key=["id"], returning="id") == []


def test_bulk_upsert_without_update_keeps_stored_rows_and_adds_new_ones(store: Store) -> None:
    with store.begin() as conn:
        bulk_insert(conn, items, [_row(n) for n in range(4)])
    with store.begin() as conn:  # duplicates inside one batch are skipped too
        rows = [_row(n, "new") for n in (2, 3, 4, 5, 5)]
        bulk_upsert(conn, items, rows, key=["id"], update=[])
    with store.connect() as conn:
        bodies = dict(conn.execute(select(items.c.id, items.c.body)).all())
    assert bodies == {"r0": "b0", "r1": "b1", "r2": "b2", "r3": "b3", "r4": "new4", "r5": "new5"}


def test_bulk_upsert_past_one_values_statement_writes_every_row(store: Store) -> None:
    from modgate.store._bulk import VALUES_ROWS

    n = VALUES_ROWS + 250  # PostgreSQL: the staged COPY path; SQLite: one executemany
    with store.begin() as conn:
        bulk_insert(conn, items, [_row(i) for i in range(0, n, 2)])
    with store.begin() as conn:
        bulk_upsert(conn, items, [_row(i, "u") for i in range(n)], key=["id"], update=["body"])
    with store.connect() as conn:
        got = dict(conn.execute(select(items.c.id, items.c.meta)).all())
        bodies = dict(conn.execute(select(items.c.id, items.c.body)).all())
    assert len(got) == n
    assert all(bodies[f"r{i}"] == f"u{i}" for i in range(n))
    assert got[f"r{n - 1}"] == {"n": n - 1, "quote": 'a "q", b\tc\nd\\e'}


def test_statements_are_built_once_per_table_and_columns(store: Store) -> None:
    from modgate.store._bulk import _statement

    with store.begin() as conn:
        bulk_upsert(conn, items, [_row(0)], key=["id"], update=["body"])
    before = _statement.cache_info()
    for n in range(1, 4):
        with store.begin() as conn:
            bulk_upsert(conn, items, [_row(n)], key=["id"], update=["body"])
    after = _statement.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 3


def test_insert_new_rows_skips_duplicates_and_returns_new_rows_on_both_paths(
    store: Store,
) -> None:
    from modgate.store import insert_new_rows
    from modgate.store._bulk import VALUES_ROWS

    with store.begin() as conn:  # one VALUES statement on PostgreSQL, with a repeated key
        first = insert_new_rows(
            conn, items, [_row(n) for n in (0, 1, 1, 2)], key=["id"], returning="id"
        )
    assert sorted(first) == ["r0", "r1", "r2"]
    n = VALUES_ROWS + 10  # PostgreSQL: the staged COPY path
    with store.begin() as conn:
        again = insert_new_rows(
            conn, items, [_row(i, "x") for i in range(n)], key=["id"], returning="id"
        )
        small = insert_new_rows(  # the same transaction: both paths again
            conn, items, [_row(i) for i in range(n - 2, n + 2)], key=["id"], returning="id"
        )
    assert sorted(again) == sorted(f"r{i}" for i in range(3, n))
    assert sorted(small) == [f"r{n}", f"r{n + 1}"]
    with store.connect() as conn:  # the staged replay left the stored rows unchanged
        assert conn.execute(select(items.c.body).where(items.c.id == "r2")).scalar_one() == "b2"
        got = dict(conn.execute(select(items.c.id, items.c.meta)).all())
    assert len(got) == n + 2
    assert got["r1"] == {"n": 1, "quote": 'a "q", b\tc\nd\\e'}
