"""Writing the monitor roll-ups: incrementally with each decision batch, or rebuilt from the log.

Both paths run the **same** aggregate statements (`_selects`) — restricted to the decision ids a
transaction actually inserted, or over the whole log — so a rebuild equals the increments by
construction. Increments are added with `INSERT … SELECT … ON CONFLICT DO UPDATE SET n = n +
excluded.n`; they are idempotent under replay because the caller passes only the ids its
`INSERT … ON CONFLICT DO NOTHING RETURNING` returned (`insert_new_rows`): a decision written
twice counts once.

What a roll-up row counts (the grain of the raw monitor queries, so results are equal):
decisions joined to their item (community = `coalesce(items.community, '')`), bucketed by UTC day
of `decided_at`; verdict-level rows join each decision to every verdict of its item (as the raw
queries do) with the verdicts present when the decision is written — the decide path writes
verdicts first. A verdict or feature written *after* its decision (an imported log, a late
`record_decision_features`) is not in the increments: `modgate monitor rebuild-rollups`
recomputes everything, and monitors fall back to the raw log when the roll-ups' decision count
differs from the log's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    Connection,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.engine import Dialect

from modgate.store._bulk import batched
from modgate.store._tables import items
from modgate.store._tables_enforce import decisions, verdicts
from modgate.store._tables_monitor import decision_features
from modgate.store._tables_rollups import (
    monitor_rollup_counts,
    monitor_rollup_pairs,
    monitor_rollup_scores,
)

ROLLUP_SECONDS = 86_400
"""Width of a roll-up bucket (UTC days); windows not aligned to it read their edges raw."""
ROLLUP_BINS = 20
"""Equal-width score bins over [0, 1] of `monitor_rollup_scores` (monitor's `DEFAULT_BINS`)."""
ROLLUP_ACTIONS = ("remove", "review", "warn", "label")
"""Actions counted per kind (`n_<action>`); a rate check's action set sums them."""


def day_expression(dialect: str, column: Any) -> Any:
    """SQL: the UTC day number (days since 1970-01-01) of a timestamp column."""
    width: Any = literal_column(str(ROLLUP_SECONDS))
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / width), Integer)
    # SQLite: integer division of the epoch seconds (floor for times after 1970)
    return cast(cast(func.strftime(literal_column("'%s'"), column), Integer) / width, Integer)


def bin_expression(dialect: str, score: Any, bins: int = ROLLUP_BINS) -> Any:
    """SQL: the equal-width bin of a score over [0, 1] (1.0 in the last bin), as monitors bin."""
    width: Any = literal_column(str(int(bins)))
    if dialect == "postgresql":
        raw = cast(func.floor(score * width), Integer)
    else:  # SQLite's CAST truncates toward zero, which is floor for scores ≥ 0
        raw = cast(score * width, Integer)
    return case((score >= literal_column("1.0"), literal_column(str(int(bins) - 1))), else_=raw)


def _flag(condition: Any) -> Any:
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def _selects(dialect: str, only: Any | None, *, array: bool = False) -> list[tuple[Any, Any]]:
    """(table, SELECT producing its rows) for the roll-ups of decisions `only` (None: all).

    `only` is an expanding bind parameter of decision ids, so the statements are built once;
    with `array`, a PostgreSQL array parameter matched with `= ANY(...)`.
    """
    d, i, f = decisions.alias("d"), items.alias("i"), decision_features.alias("f")
    where = [literal_column("1") == 1]
    if only is not None:
        where = [d.c.decision_id == any_(only)] if array else [d.c.decision_id.in_(only)]
    v, c = verdicts.alias("v"), verdicts.alias("c")
    day = day_expression(dialect, d.c.decided_at).label("day")
    community = func.coalesce(i.c.community, "").label("community")
    base = d.join(i, i.c.id == d.c.item_id)
    featured = [
        _flag(f.c.decision_id.is_not(None)).label("n_featured"),
        _flag(f.c.normalization_changed).label("n_evasion"),
        _flag(f.c.caught_after_normalization).label("n_caught"),
    ]

    def counts(source: Any, action: Any, key: list[Any], grouped: list[Any]) -> Any:
        return (
            select(
                day,
                community,
                *key,
                func.count().label("n"),
                *[_flag(action == a).label(f"n_{a}") for a in ROLLUP_ACTIONS],
                *featured,
            )
            .select_from(source.outerjoin(f, f.c.decision_id == d.c.decision_id))
            .where(*where)
            .group_by(day, community, *grouped)
        )

    decision_key = [
        literal("").label("policy"),
        literal("").label("enforcer"),
        literal(0).label("enforcer_version"),
    ]
    verdict_key = [
        v.c.policy.label("policy"),
        v.c.enforcer.label("enforcer"),
        v.c.enforcer_version.label("enforcer_version"),
    ]
    with_verdicts = base.join(v, v.c.item_id == d.c.item_id)
    decision_rows = counts(base, d.c.action, decision_key, [])
    verdict_rows = counts(with_verdicts, v.c.action, verdict_key, verdict_key)
    b = bin_expression(dialect, v.c.score).label("bin")
    score_rows = (
        select(
            day,
            community,
            *verdict_key,
            b,
            func.count().label("n"),
            func.sum(v.c.score).label("sum_score"),
            func.sum(v.c.score * v.c.score).label("sum_score_sq"),
        )
        .select_from(with_verdicts)
        .where(*where)
        .group_by(day, community, *verdict_key, b)
    )
    same = and_(
        c.c.enforcer == v.c.enforcer,
        c.c.enforcer_version == v.c.enforcer_version,
        c.c.policy == v.c.policy,
    )
    pair_key = [
        c.c.policy.label("c_policy"),
        c.c.enforcer.label("c_enforcer"),
        c.c.enforcer_version.label("c_version"),
    ]
    a_flag, c_flag = v.c.action != "allow", c.c.action != "allow"
    pair_rows = (
        select(
            day,
            community,
            *verdict_key,
            *pair_key,
            func.count().label("n"),
            _flag(and_(a_flag, ~c_flag)).label("only_active"),
            _flag(and_(c_flag, ~a_flag)).label("only_challenger"),
        )
        .select_from(with_verdicts.join(c, and_(c.c.item_id == v.c.item_id, ~same)))
        .where(*where)
        .group_by(day, community, *verdict_key, *pair_key)
    )
    # the decision level and the verdict level share a table: one SELECT per level
    return [
        (monitor_rollup_counts, decision_rows),
        (monitor_rollup_counts, verdict_rows),
        (monitor_rollup_scores, score_rows),
        (monitor_rollup_pairs, pair_rows),
    ]


def _keys(table: Any) -> list[str]:
    return [col.name for col in table.primary_key.columns]


def _add_into(dialect: str, table: Any, query: Any) -> Any:
    """INSERT … SELECT, adding the measures to rows that exist (the increments)."""
    # the dialect's own INSERT (imported here: a SQLite process never loads PostgreSQL's)
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        insert = pg_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        insert = sqlite_insert
    names = [col.name for col in table.columns]
    keys = _keys(table)
    stmt = insert(table).from_select(names, query)
    return stmt.on_conflict_do_update(
        index_elements=keys,
        set_={n: table.c[n] + stmt.excluded[n] for n in names if n not in keys},
    )


@functools.cache
def _increments(dialect: str) -> tuple[Any, ...]:
    """The four increment statements of a dialect, over the `decision_ids` parameter.

    Built once per process: building and cache-keying them on every group commit cost about a
    quarter of the service's CPU (py-spy under `bench/serve_bench.py`).
    """
    ids: Any = bindparam("decision_ids", expanding=True)
    return tuple(_add_into(dialect, table, query) for table, query in _selects(dialect, ids))


@functools.cache
def _pg_increments(dialect: Dialect) -> tuple[tuple[str, dict[str, Any]], ...]:
    """PostgreSQL: the increment statements as driver SQL and their constant parameters.

    The decision ids are one array parameter (`= ANY(%(decision_ids)s)`), so each statement's
    text is the same for any number of ids: psycopg prepares it once, and `apply_rollups`
    sends all of them in one pipeline (one round trip, not one per statement).
    """
    ids: Any = bindparam("decision_ids", type_=ARRAY(String))
    out = []
    for table, query in _selects("postgresql", ids, array=True):
        compiled = _add_into("postgresql", table, query).compile(dialect=dialect)
        fixed = {k: v for k, v in compiled.params.items() if k != "decision_ids"}
        out.append((str(compiled), fixed))
    return tuple(out)


def _pg_apply(conn: Connection, chunks: list[list[str]]) -> None:
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    statements = _pg_increments(conn.dialect)
    with dbapi.pipeline(), dbapi.cursor() as cursor:
        for chunk in chunks:
            for sql, fixed in statements:
                cursor.execute(sql, {**fixed, "decision_ids": chunk})


def apply_rollups(conn: Connection, decision_ids: Sequence[str]) -> int:
    """Add the decisions just inserted (in the caller's transaction) to the roll-ups.

    Pass only ids the transaction **inserted** (a replayed id must not count twice). On
    PostgreSQL the statements go through the driver in one pipeline (`_pg_increments`).

    Returns:
        Decisions added.
    """
    chunks = list(batched(list(dict.fromkeys(decision_ids))))
    if conn.dialect.name == "postgresql":
        if chunks:
            _pg_apply(conn, chunks)
        return sum(len(chunk) for chunk in chunks)
    done = 0
    statements = _increments(conn.dialect.name)
    for chunk in chunks:
        for stmt in statements:
            conn.execute(stmt, {"decision_ids": chunk})
        done += len(chunk)
    return done


def rebuild_rollups(conn: Connection) -> int:
    """Recompute every roll-up from the decision log (after a bulk load or an upgrade).

    Returns:
        Decisions counted.
    """
    for table in (monitor_rollup_counts, monitor_rollup_scores, monitor_rollup_pairs):
        conn.execute(delete(table))
    for table, query in _selects(conn.dialect.name, None):
        names = [col.name for col in table.columns]
        conn.execute(table.insert().from_select(names, query))
    rc = monitor_rollup_counts
    total = conn.execute(
        select(func.coalesce(func.sum(rc.c.n), 0)).where(rc.c.enforcer == "")
    ).scalar_one()
    return int(total)


__all__ = ["ROLLUP_ACTIONS", "ROLLUP_BINS", "ROLLUP_SECONDS", "apply_rollups", "rebuild_rollups"]
