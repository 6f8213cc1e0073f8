"""Monitor roll-ups: per-day aggregates of the decision log, maintained at decide time.

`monitor_rollup_counts` (decisions, actions by kind, evasion features), `monitor_rollup_scores`
(score histograms on 20 fixed bins with Σ s, Σ s²) and `monitor_rollup_pairs` (active versus
challenger counts), per (UTC day, community, verdict policy, enforcer, version). The tables start
empty: `modgate monitor rebuild-rollups` fills them from an existing log (monitors read the raw log
until the roll-ups' decision count matches it).

Revision ID: 0030_monitor_rollups
Revises: 0027_monitor_links
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_monitor_rollups"
down_revision = "0027_monitor_links"
branch_labels = None
depends_on = None

_KEY = ["day", "community", "policy", "enforcer", "enforcer_version"]


def _key() -> list[sa.Column[object]]:
    return [
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("community", sa.String(256), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("enforcer", sa.String(256), nullable=False),
        sa.Column("enforcer_version", sa.Integer(), nullable=False),
    ]


def _n(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "monitor_rollup_counts",
        *_key(),
        *[
            _n(c)
            for c in (
                "n",
                "n_remove",
                "n_review",
                "n_warn",
                "n_label",
                "n_featured",
                "n_evasion",
                "n_caught",
            )
        ],
        sa.PrimaryKeyConstraint(*_KEY, name="pk_monitor_rollup_counts"),
    )
    op.create_table(
        "monitor_rollup_scores",
        *_key(),
        sa.Column("bin", sa.Integer(), nullable=False),
        _n("n"),
        sa.Column("sum_score", sa.Float(), nullable=False),
        sa.Column("sum_score_sq", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "bin", name="pk_monitor_rollup_scores"),
    )
    op.create_table(
        "monitor_rollup_pairs",
        *_key(),
        sa.Column("c_policy", sa.String(256), nullable=False),
        sa.Column("c_enforcer", sa.String(256), nullable=False),
        sa.Column("c_version", sa.Integer(), nullable=False),
        _n("n"),
        _n("only_active"),
        _n("only_challenger"),
        sa.PrimaryKeyConstraint(
            *_KEY, "c_policy", "c_enforcer", "c_version", name="pk_monitor_rollup_pairs"
        ),
    )


def downgrade() -> None:
    op.drop_table("monitor_rollup_pairs")
    op.drop_table("monitor_rollup_scores")
    op.drop_table("monitor_rollup_counts")
