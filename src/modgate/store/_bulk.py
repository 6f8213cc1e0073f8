"""Batched writes: executemany on SQLite; multi-row VALUES or COPY on PostgreSQL.

The statements are built once per (table, columns, conflict clause, dialect) and executed
straight through the driver: on the hot paths (the service's group commit, bulk imports)
building and compiling a SQLAlchemy statement per call, and SQLAlchemy's per-row parameter
processing, cost more than the database's own work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

Row = Mapping[str, Any]


IN_LIST_CHUNK = 900
"""Most values one `IN (...)` list binds: under SQLite's bound-parameter limit on old builds."""

VALUES_ROWS = 1000
"""Most rows PostgreSQL writes with one multi-row VALUES statement; more go through COPY."""

_MAX_PG_PARAMS = 60_000
"""Bound parameters per PostgreSQL statement (its protocol limit is 65,535)."""

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


def _pg_value(value: Any) -> Any:
    # JSON goes as text (psycopg binds a str untyped, so the server casts it to json/jsonb)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _remember_last(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """Wrap a bind processor so a value repeated row after row is converted once.

    The wrapper keeps state: make one per call, never share it between threads.
    """
    if processor is None:
        return None
    last: list[Any] = [object(), None]

    def process(value: Any) -> Any:
        if value is not last[0]:
            last[0] = value
            last[1] = processor(value)
        return last[1]

    return process


@dataclass(frozen=True)
class _Statement:
    """An insert built once: its SQL and, for SQLite, each column's bind processor."""

    sql: str
    """SQLite: the one-row statement for executemany; PostgreSQL: the conflict clause."""
    columns: tuple[str, ...]
    """Columns in parameter order."""
    processors: tuple[Callable[[Any], Any] | None, ...]
    """SQLite bind processors (None: the driver takes the value as is)."""
    needs_sqlalchemy: bool
    """A column left out has a Python-side default, which only SQLAlchemy applies."""


def _conflict_clause(key: tuple[str, ...] | None, update: tuple[str, ...]) -> str:
    if key is None:
        return ""
    keys = ", ".join(f'"{k}"' for k in key)
    if not update:
        return f" ON CONFLICT ({keys}) DO NOTHING"
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    return f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"


@lru_cache(maxsize=512)
def _statement(
    table: Table,
    dialect: Dialect,
    columns: tuple[str, ...],
    key: tuple[str, ...] | None,
    update: tuple[str, ...],
) -> _Statement:
    quoted = ", ".join(f'"{c}"' for c in columns)
    conflict = _conflict_clause(key, update)
    needs = any(c.default is not None for c in table.columns if c.name not in columns)
    if dialect.name == "postgresql":
        return _Statement(conflict, columns, (), needs)
    marks = ", ".join("?" for _ in columns)
    processors = tuple(
        table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns
    )
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks}){conflict}'
    return _Statement(sql, columns, processors, needs)


def _sqlite_params(plan: _Statement, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
    # each column type's own bind processor applied here, plain tuples to the driver: the
    # same values SQLAlchemy's executemany would write, at a fraction of the cost
    converted = [(i, _remember_last(p)) for i, p in enumerate(plan.processors) if p is not None]
    columns = plan.columns
    getter = itemgetter(*columns)
    params: list[tuple[Any, ...]] = []
    append = params.append
    single = len(columns) == 1
    for row in rows:
        values = [row[columns[0]]] if single else list(getter(row))
        for i, process in converted:
            value = values[i]
            if value is not None:
                values[i] = process(value)  # type: ignore[misc]
        append(tuple(values))
    return params


def _pg_values(
    conn: Connection, table: Table, plan: _Statement, rows: Sequence[Row], returning: str = ""
) -> list[tuple[Any, ...]]:
    """Rows in multi-row VALUES statements (one round trip each) with the conflict clause.

    Returns:
        The rows of the `returning` clause (` RETURNING "id"`), if one is given.
    """
    columns = plan.columns
    quoted = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("%s" for _ in columns) + ")"
    per_statement = max(1, min(VALUES_ROWS, _MAX_PG_PARAMS // max(1, len(columns))))
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    getter = itemgetter(*columns)
    returned: list[tuple[Any, ...]] = []
    with dbapi.cursor() as cursor:
        for chunk in batched(rows, per_statement):
            flat: list[Any] = []
            for row in chunk:
                values = (row[columns[0]],) if len(columns) == 1 else getter(row)
                flat.extend(_pg_value(v) for v in values)
            sql = (
                f'INSERT INTO "{table.name}" ({quoted}) VALUES '
                + ", ".join(one for _ in chunk)
                + plan.sql
                + returning
            )
            cursor.execute(sql, flat)
            if returning:
                returned.extend(cursor.fetchall())
    return returned


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
    plan = _statement(table, conn.dialect, tuple(rows[0].keys()), None, ())
    if plan.needs_sqlalchemy:
        conn.execute(insert(table), list(rows))  # Python-side defaults need SQLAlchemy
        return len(rows)
    conn.exec_driver_sql(plan.sql, _sqlite_params(plan, rows))
    return len(rows)


def _pg_staged_insert(
    conn: Connection, table: Table, rows: Sequence[Row], tail: str
) -> list[tuple[Any, ...]]:
    """COPY `rows` into a temporary staging table, then one `INSERT … SELECT …{tail}`.

    Returns:
        The rows of the statement's RETURNING clause, if `tail` has one.
    """
    columns = list(rows[0].keys())
    staging = f"_staging_{table.name}"
    quoted = ", ".join(f'"{c}"' for c in columns)
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
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}"{tail}'
        )
        return list(cursor.fetchall()) if cursor.description is not None else []


def bulk_upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> int:
    """Insert rows, updating `update` columns where a row with the same `key` exists.

    SQLite: one executemany of a prepared `INSERT … ON CONFLICT`. PostgreSQL: up to
    `VALUES_ROWS` rows as multi-row `INSERT … VALUES … ON CONFLICT` statements (one round
    trip each); larger batches are COPYed into a temporary staging table and merged with one
    `INSERT … SELECT … ON CONFLICT`, which is many times faster than row-by-row upserts.
    With an empty `update` a row whose key exists is left unchanged.

    Returns:
        Number of rows written.
    """
    if not rows:
        return 0
    plan = _statement(table, conn.dialect, tuple(rows[0].keys()), tuple(key), tuple(update))
    if conn.dialect.name == "postgresql":
        if len(rows) > VALUES_ROWS:
            _pg_staged_insert(conn, table, rows, plan.sql)
        else:
            _pg_values(conn, table, plan, rows)
        return len(rows)
    if plan.needs_sqlalchemy:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
        if update:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key), set_={c: stmt.excluded[c] for c in update}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        conn.execute(stmt, list(rows))
        return len(rows)
    conn.exec_driver_sql(plan.sql, _sqlite_params(plan, rows))
    return len(rows)


def insert_new_rows(
    conn: Connection, table: Table, rows: Sequence[Row], *, key: Sequence[str], returning: str
) -> list[Any]:
    """Insert rows whose `key` is not stored yet; return `returning` of the rows inserted.

    `INSERT … ON CONFLICT DO NOTHING RETURNING`: a row already stored (a replay, or a concurrent
    writer that won) is not returned, so what follows can count exactly the new rows. On
    PostgreSQL up to `VALUES_ROWS` rows go as multi-row VALUES statements (a service's group
    commit: one round trip instead of the staging table's four); more are COPYed into a
    staging table first, as in `bulk_upsert`.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        plan = _statement(table, conn.dialect, tuple(rows[0].keys()), tuple(key), ())
        clause = f' RETURNING "{returning}"'
        if len(rows) <= VALUES_ROWS:  # a group commit's rows: one VALUES statement, one trip
            return [r[0] for r in _pg_values(conn, table, plan, rows, clause)]
        return [r[0] for r in _pg_staged_insert(conn, table, rows, plan.sql + clause)]
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    stmt = (
        sqlite_insert(table)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c[returning])
    )
    return [r[0] for r in conn.execute(stmt, list(rows))]


__all__ = ["IN_LIST_CHUNK", "batched", "bulk_insert", "bulk_upsert", "insert_new_rows"]
