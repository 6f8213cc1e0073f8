"""Core tables: items, audit events, enforcer catalog.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("title", sa.Text()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("author_id", sa.String(512)),
        sa.Column("author", Json),
        sa.Column("parent_id", sa.String(512)),
        sa.Column("parent_text", sa.Text()),
        sa.Column("created_at", Tz),
        sa.Column("language", sa.String(16)),
        sa.Column("meta", Json),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("imported_at", Tz, nullable=False),
        sa.Column("updated_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
    )
    op.create_index("ix_items_community_created_at", "items", ["community", "created_at"])
    op.create_index("ix_items_created_at", "items", ["created_at"])
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", Tz, nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("action", sa.String(128), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(512), nullable=False),
        sa.Column("details", Json),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "enforcer_versions",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(256)),
        sa.Column("spec", Json, nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.Column("artifact_hash", sa.String(64)),
        sa.Column("data_hash", sa.String(64)),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("artifact_path", sa.Text()),
        sa.Column("metrics", Json),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name="pk_enforcer_versions"),
    )
    op.create_index("ix_enforcer_versions_version_hash", "enforcer_versions", ["version_hash"])


def downgrade() -> None:
    op.drop_table("enforcer_versions")
    op.drop_table("audit_events")
    op.drop_table("items")
