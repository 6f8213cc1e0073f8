"""Published policy versions.

Revision ID: 0005_policies
Revises: 0001_core
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005_policies"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(256), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("policy", Json, nullable=False),
        sa.Column("source_yaml", sa.Text()),
        sa.Column("prompt_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name="pk_policy_versions"),
    )
    op.create_index("ix_policy_versions_content_hash", "policy_versions", ["content_hash"])
    op.create_index("ix_policy_versions_scope", "policy_versions", ["scope"])


def downgrade() -> None:
    op.drop_table("policy_versions")
