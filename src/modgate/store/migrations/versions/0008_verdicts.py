"""Verdicts and decisions of the enforce package.

Revision ID: 0008_verdicts
Revises: 0001_core
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_verdicts"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "verdicts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("enforcer", sa.String(256), nullable=False),
        sa.Column("enforcer_version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("criteria", Json, nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
        sa.UniqueConstraint(
            "enforcer",
            "enforcer_version",
            "item_id",
            "policy",
            name="uq_verdicts_enforcer_enforcer_version_item_id_policy",
        ),
    )
    op.create_index("ix_verdicts_item_id", "verdicts", ["item_id"])
    op.create_table(
        "decisions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reasons", Json, nullable=False),
        sa.Column("decided_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.UniqueConstraint("decision_id", name="uq_decisions_decision_id"),
    )
    op.create_index("ix_decisions_item_id", "decisions", ["item_id"])


def downgrade() -> None:
    op.drop_table("decisions")
    op.drop_table("verdicts")
