"""Batched writes: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

Row = Mapping[str, Any]


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Split an iterable of rows into lists of at most `size`."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


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
    conn.execute(insert(table), list(rows))
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


__all__ = ["batched", "bulk_insert", "bulk_upsert"]
