"""Community policies at scale: imports, rule versions, community policy versions, families.

Revision ID: 0023_community
Revises: 0005_policies
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0023_community"
down_revision = "0005_policies"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "community_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("stats", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_community_imports"),
    )
    op.create_table(
        "community_rules",
        sa.Column("community", sa.String(256), nullable=False),
        sa.Column("rule_key", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("applies_to", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("examples", Json, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("imported_in", sa.Integer(), nullable=False),
        sa.Column("retired_in", sa.Integer()),
        sa.PrimaryKeyConstraint("community", "rule_key", "version", name="pk_community_rules"),
    )
    op.create_index("ix_community_rules_retired_in", "community_rules", ["retired_in"])
    op.create_index("ix_community_rules_imported_in", "community_rules", ["imported_in"])
    op.create_table(
        "community_policy_versions",
        sa.Column("community", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community", "version", name="pk_community_policy_versions"),
    )
    op.create_table(
        "community_families",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("communities", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float()),
        sa.Column("computed_at", Tz, nullable=False),
        sa.Column("params", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_community_families"),
    )
    op.create_table(
        "community_family_members",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("community", sa.String(256), nullable=False),
        sa.Column("rule_key", sa.String(128), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float()),
        sa.PrimaryKeyConstraint("community", "rule_key", name="pk_community_family_members"),
    )
    op.create_index("ix_community_family_members_family", "community_family_members", ["family_id"])


def downgrade() -> None:
    op.drop_table("community_family_members")
    op.drop_table("community_families")
    op.drop_table("community_policy_versions")
    op.drop_table("community_rules")
    op.drop_table("community_imports")
