"""Red-team runs.

Revision ID: 0022_redteam
Revises: 0001_core
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0022_redteam"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "redteam_runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("eval_run_id", sa.String(64)),
        sa.Column("enforcer", sa.String(256), nullable=False),
        sa.Column("enforcer_version_hash", sa.String(64), nullable=False),
        sa.Column("golden", sa.String(256), nullable=False),
        sa.Column("golden_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("report", Json, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_redteam_runs_enforcer", "redteam_runs", ["enforcer"])


def downgrade() -> None:
    op.drop_index("ix_redteam_runs_enforcer", table_name="redteam_runs")
    op.drop_table("redteam_runs")
