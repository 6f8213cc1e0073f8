"""The review queue: tasks (with their claims), review decisions, appeals, exposures, settings.

Revision ID: 0028_review
Revises: 0020_monitor
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0028_review"
down_revision = "0020_monitor"  # review decisions feed its review_outcomes table
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review_tasks",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(800), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("decision_id", sa.String(256)),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("enqueued_at", Tz, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(256)),
        sa.Column("claimed_at", Tz),
        sa.Column("claim_expires_at", Tz),
        sa.Column("appeal_id", sa.BigInteger()),
        sa.Column("excluded_reviewer", sa.String(256)),
        sa.Column("details", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_tasks"),
        sa.UniqueConstraint("dedup_key", name="uq_review_tasks_dedup_key"),
    )
    op.create_index(
        "ix_review_tasks_status_policy_community",
        "review_tasks",
        ["status", "policy", "community"],
    )
    op.create_index(
        "ix_review_tasks_priority_enqueued_at", "review_tasks", ["priority", "enqueued_at"]
    )
    op.create_index("ix_review_tasks_decision_id", "review_tasks", ["decision_id"])
    op.create_table(
        "review_decisions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("decision_id", sa.String(256)),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("original_action", sa.String(16), nullable=False),
        sa.Column("automated_label", sa.String(32)),
        sa.Column("criteria", Json, nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("claimed_at", Tz, nullable=False),
        sa.Column("decided_at", Tz, nullable=False),
        sa.Column("overturned", sa.Boolean(), nullable=False),
        sa.Column("outcome_id", sa.BigInteger()),
        sa.Column("golden_set", sa.String(256)),
        sa.Column("undone_at", Tz),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
    )
    op.create_index(
        "ix_review_decisions_reviewer_decided_at", "review_decisions", ["reviewer", "decided_at"]
    )
    op.create_index("ix_review_decisions_decision_id", "review_decisions", ["decision_id"])
    op.create_index("ix_review_decisions_task_id", "review_decisions", ["task_id"])
    op.create_index("ix_review_decisions_decided_at", "review_decisions", ["decided_at"])
    op.create_table(
        "appeals",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("appellant", sa.String(256)),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("opened_at", Tz, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_reviewer", sa.String(256)),
        sa.Column("first_label", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(256)),
        sa.Column("decided_at", Tz),
        sa.Column("note", sa.Text()),
        sa.Column("open_key", sa.String(256)),
        sa.PrimaryKeyConstraint("id", name="pk_appeals"),
        sa.UniqueConstraint("open_key", name="uq_appeals_open_key"),
    )
    op.create_index("ix_appeals_decision_id", "appeals", ["decision_id"])
    op.create_index("ix_appeals_status", "appeals", ["status"])
    op.create_table(
        "review_exposures",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("reviewer", sa.String(256), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_exposures"),
    )
    op.create_index("ix_review_exposures_reviewer", "review_exposures", ["reviewer"])
    op.create_table(
        "review_settings",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", Json, nullable=False),
        sa.Column("updated_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_review_settings"),
    )


def downgrade() -> None:
    for table in ("review_settings", "review_exposures", "appeals", "review_decisions"):
        op.drop_table(table)
    op.drop_table("review_tasks")
