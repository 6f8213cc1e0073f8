"""Monitor roll-ups: per-day aggregates of the decision log, maintained at write time.

Added by the `0030_monitor_rollups` migration. One row per (UTC day, community, verdict policy,
enforcer, version) — the decision level has policy = enforcer = '' and version 0 — holds the
counts the rate checks read; `monitor_rollup_scores` adds score histograms on fixed bins (with
Σ s and Σ s² per bin for the label-free estimate) and `monitor_rollup_pairs` the paired
active-versus-challenger counts. `modgate.store._rollups` writes them; monitors read them
instead of scanning millions of decisions.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, PrimaryKeyConstraint, String, Table

from modgate.store._tables import metadata

_KEY = ("day", "community", "policy", "enforcer", "enforcer_version")


def _key_columns() -> list[Column[object]]:
    return [
        Column("day", Integer, nullable=False),
        Column("community", String(256), nullable=False),
        Column("policy", String(256), nullable=False),
        Column("enforcer", String(256), nullable=False),
        Column("enforcer_version", Integer, nullable=False),
    ]


def _count(name: str) -> Column[object]:
    return Column(name, BigInteger, nullable=False)


monitor_rollup_counts = Table(
    "monitor_rollup_counts",
    metadata,
    *_key_columns(),
    _count("n"),
    _count("n_remove"),
    _count("n_review"),
    _count("n_warn"),
    _count("n_label"),
    _count("n_featured"),
    _count("n_evasion"),
    _count("n_caught"),
    PrimaryKeyConstraint(*_KEY, name="pk_monitor_rollup_counts"),
)

monitor_rollup_scores = Table(
    "monitor_rollup_scores",
    metadata,
    *_key_columns(),
    Column("bin", Integer, nullable=False),
    _count("n"),
    Column("sum_score", Float, nullable=False),
    Column("sum_score_sq", Float, nullable=False),
    PrimaryKeyConstraint(*_KEY, "bin", name="pk_monitor_rollup_scores"),
)

monitor_rollup_pairs = Table(
    "monitor_rollup_pairs",
    metadata,
    *_key_columns(),
    Column("c_policy", String(256), nullable=False),
    Column("c_enforcer", String(256), nullable=False),
    Column("c_version", Integer, nullable=False),
    _count("n"),
    _count("only_active"),
    _count("only_challenger"),
    PrimaryKeyConstraint(
        *_KEY, "c_policy", "c_enforcer", "c_version", name="pk_monitor_rollup_pairs"
    ),
)
