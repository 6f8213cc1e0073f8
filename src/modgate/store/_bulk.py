"""Batched writes: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

Row = Mapping[str, Any]


IN_LIST_CHUNK = 900
"""Most values one `IN (...)` list binds: under SQLite's bound-parameter limit on old builds."""

T = TypeVar("T")


def batched(rows: Iterable[T], size: int = IN_LIST_CHUNK) -> Iterator[list[T]]:
    """Split an iterable into lists of at most `size` (rows to insert, ids to look up).

    The one chunking helper: bulk writes batch rows with it, and every fetch by ids splits
    its `IN (...)` list with it (default `IN_LIST_CHUNK`).
    """
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _remember_last(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """Wrap a bind processor so a value repeated row after row is converted once."""
    if processor is None:
        return None
    last: list[Any] = [object(), None]

    def process(value: Any) -> Any:
        if value is not last[0]:
            last[0] = value
            last[1] = processor(value)
        return last[1]

    return process


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Row]) -> int:
    """Insert rows in one round trip: COPY on PostgreSQL, executemany elsewhere.

    Args:
        conn: Connection inside a transaction.
        table: Target table.
        rows: Rows as mappings of column name to value; every row has the same keys.

    Returns:
        Number of rows written.
    """
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        columns = list(rows[0].keys())
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        quoted = ", ".join(f'"{c}"' for c in columns)
        with dbapi.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
        return len(rows)
    columns = list(rows[0].keys())
    if any(c.default is not None for c in table.columns if c.name not in columns):
        conn.execute(insert(table), list(rows))  # Python-side defaults need SQLAlchemy
        return len(rows)
    dialect = conn.dialect
    # SQLAlchemy's executemany re-derives parameters per row through the compiled statement;
    # applying each column type's own bind processor here and handing plain tuples to the
    # driver writes the same values at a fraction of the cost (the hot path of bulk imports).
    processors = [
        _remember_last(table.c[c].type.dialect_impl(dialect).bind_processor(dialect))
        for c in columns
    ]
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    getter = itemgetter(*columns)
    converted = [(i, p) for i, p in enumerate(processors) if p is not None]
    params: list[Any] = []
    append = params.append
    for row in rows:
        values = list(getter(row)) if len(columns) > 1 else [row[columns[0]]]
        for i, process in converted:
            value = values[i]
            if value is not None:
                values[i] = process(value)
        append(tuple(values))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', params)
    return len(rows)


def bulk_upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> int:
    """Insert rows, updating `update` columns where a row with the same `key` exists.

    On PostgreSQL the rows are COPYed into a temporary staging table and merged with one
    INSERT … SELECT … ON CONFLICT, which is many times faster than row-by-row upserts.

    Returns:
        Number of rows written.
    """
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        columns = list(rows[0].keys())
        staging = f"_staging_{table.name}"
        quoted = ", ".join(f'"{c}"' for c in columns)
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
        keys = ", ".join(f'"{k}"' for k in key)
        with dbapi.cursor() as cursor:
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
                f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
            )
            cursor.execute(f'TRUNCATE "{staging}"')
            with cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
            conflict = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
            cursor.execute(
                f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}" '
                f"ON CONFLICT ({keys}) {conflict}"
            )
        return len(rows)
    stmt = sqlite_insert(table)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key), set_={c: stmt.excluded[c] for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    conn.execute(stmt, list(rows))
    return len(rows)


def insert_new_rows(
    conn: Connection, table: Table, rows: Sequence[Row], *, key: Sequence[str], returning: str
) -> list[Any]:
    """Insert rows whose `key` is not stored yet; return `returning` of the rows inserted.

    `INSERT … ON CONFLICT DO NOTHING RETURNING`: a row already stored (a replay, or a concurrent
    writer that won) is not returned, so what follows can count exactly the new rows. On
    PostgreSQL the rows are COPYed into a staging table first, as in `bulk_upsert`.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        columns = list(rows[0].keys())
        staging = f"_staging_{table.name}"
        quoted = ", ".join(f'"{c}"' for c in columns)
        keys = ", ".join(f'"{k}"' for k in key)
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        with dbapi.cursor() as cursor:
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
                f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
            )
            cursor.execute(f'TRUNCATE "{staging}"')
            with cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
            cursor.execute(
                f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}" '
                f'ON CONFLICT ({keys}) DO NOTHING RETURNING "{returning}"'
            )
            return [r[0] for r in cursor.fetchall()]
    stmt = (
        sqlite_insert(table)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c[returning])
    )
    return [r[0] for r in conn.execute(stmt, list(rows))]


__all__ = ["IN_LIST_CHUNK", "batched", "bulk_insert", "bulk_upsert", "insert_new_rows"]
