"""Eval runs, per-item predictions and gate reports.

Revision ID: 0010_eval
Revises: 0001_core
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010_eval"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("enforcer", sa.String(256), nullable=False),
        sa.Column("enforcer_version_hash", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(256)),
        sa.Column("golden", sa.String(256), nullable=False),
        sa.Column("golden_hash", sa.String(64), nullable=False),
        sa.Column("split", sa.String(32), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("figures", Json, nullable=False),
        sa.Column("reliability", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_eval_runs"),
    )
    op.create_index("ix_eval_runs_golden_hash", "eval_runs", ["golden_hash"])
    op.create_index("ix_eval_runs_enforcer", "eval_runs", ["enforcer"])
    op.create_table(
        "eval_predictions",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("gold_label", sa.String(16), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("predicted_label", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("criteria", Json),
        sa.Column("gold_criteria", Json),
        sa.Column("error", sa.Text()),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("slices", Json),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["eval_runs.id"],
            name="fk_eval_predictions_run_id_eval_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "item_id", name="pk_eval_predictions"),
    )
    op.create_table(
        "gate_reports",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("gate_name", sa.String(256), nullable=False),
        sa.Column("gate_hash", sa.String(64), nullable=False),
        sa.Column("enforcer_version_hash", sa.String(64), nullable=False),
        sa.Column("golden_hash", sa.String(64), nullable=False),
        sa.Column("baseline_run_id", sa.String(64)),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("report", Json, nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["eval_runs.id"],
            name="fk_gate_reports_run_id_eval_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_gate_reports"),
    )
    op.create_index("ix_gate_reports_run_id", "gate_reports", ["run_id"])


def downgrade() -> None:
    op.drop_table("gate_reports")
    op.drop_table("eval_predictions")
    op.drop_table("eval_runs")
