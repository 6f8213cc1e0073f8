"""Deployments, decision arms and reversal records; deployment columns of decisions.

Revision ID: 0018_release
Revises: 0008_verdicts
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018_release"
down_revision = "0008_verdicts"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("decisions", sa.Column("deployments", Json))
    op.add_column("decisions", sa.Column("shadow", Json))
    op.create_table(
        "deployments",
        sa.Column("serial", Id, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(300), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", Json, nullable=False),
        sa.Column("base_id", sa.String(300)),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("enforcer", sa.String(300)),
        sa.Column("restored_id", sa.String(300)),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("serial", name="pk_deployments"),
        sa.UniqueConstraint("id", name="uq_deployments_id"),
        sa.UniqueConstraint("policy", "seq", name="uq_deployments_policy_seq"),
    )
    op.create_table(
        "decision_arms",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(256), nullable=False),
        sa.Column("deployment_id", sa.String(300), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("arm", sa.String(16), nullable=False),
        sa.Column("enforcer", sa.String(300), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("final_action", sa.String(16), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("decided_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decision_arms"),
        sa.UniqueConstraint("decision_id", "policy", name="uq_decision_arms_decision_id_policy"),
    )
    op.create_index("ix_decision_arms_deployment_id", "decision_arms", ["deployment_id"])
    op.create_table(
        "reversals",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("deployment_id", sa.String(300), nullable=False),
        sa.Column("decision_id", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("enforcer", sa.String(300), nullable=False),
        sa.Column("taken_action", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("applied_at", Tz),
        sa.PrimaryKeyConstraint("id", name="pk_reversals"),
        sa.UniqueConstraint(
            "deployment_id", "decision_id", name="uq_reversals_deployment_id_decision_id"
        ),
    )
    op.create_index("ix_reversals_item_id", "reversals", ["item_id"])


def downgrade() -> None:
    op.drop_table("reversals")
    op.drop_table("decision_arms")
    op.drop_table("deployments")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("shadow")
        batch.drop_column("deployments")
