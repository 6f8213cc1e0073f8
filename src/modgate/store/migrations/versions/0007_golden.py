"""Golden sets: sets, items, annotations, adjudications, frozen versions.

Revision ID: 0007_golden
Revises: 0001_core
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007_golden"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "golden_sets",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("config", Json, nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("updated_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_golden_sets"),
    )
    op.create_table(
        "golden_items",
        sa.Column("set_name", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("tags", Json, nullable=False),
        sa.Column("allowed", Json, nullable=False),
        sa.Column("criteria", Json, nullable=False),
        sa.Column("source", sa.String(512)),
        sa.Column("group_key", sa.String(512)),
        sa.Column("gold_label", sa.String(128)),
        sa.Column("gold_method", sa.String(32)),
        sa.Column("added_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("set_name", "item_id", name="pk_golden_items"),
    )
    op.create_table(
        "annotations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("set_name", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("annotator", sa.String(256)),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text()),
        sa.Column("origin", sa.String(512), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_annotations"),
    )
    op.create_index("ix_annotations_set_name_item_id", "annotations", ["set_name", "item_id"])
    op.create_table(
        "adjudications",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("set_name", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("previous_label", sa.String(128)),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_adjudications"),
    )
    op.create_index("ix_adjudications_set_name_item_id", "adjudications", ["set_name", "item_id"])
    op.create_table(
        "golden_versions",
        sa.Column("set_name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("frozen_at", Tz, nullable=False),
        sa.Column("frozen_by", sa.String(256), nullable=False),
        sa.Column("config", Json, nullable=False),
        sa.PrimaryKeyConstraint("set_name", "version", name="pk_golden_versions"),
    )
    op.create_index("ix_golden_versions_content_hash", "golden_versions", ["content_hash"])
    op.create_table(
        "golden_version_items",
        sa.Column("set_name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("item_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("gold_label", sa.String(128), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("tags", Json, nullable=False),
        sa.Column("allowed", Json, nullable=False),
        sa.Column("criteria", Json, nullable=False),
        sa.Column("source", sa.String(512)),
        sa.Column("group_key", sa.String(512), nullable=False),
        sa.PrimaryKeyConstraint("set_name", "version", "item_id", name="pk_golden_version_items"),
    )


def downgrade() -> None:
    op.drop_table("golden_version_items")
    op.drop_index("ix_golden_versions_content_hash", table_name="golden_versions")
    op.drop_table("golden_versions")
    op.drop_index("ix_adjudications_set_name_item_id", table_name="adjudications")
    op.drop_table("adjudications")
    op.drop_index("ix_annotations_set_name_item_id", table_name="annotations")
    op.drop_table("annotations")
    op.drop_table("golden_items")
    op.drop_table("golden_sets")
