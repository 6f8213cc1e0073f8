"""Rule effects on verdicts and decisions; edited, top-level and parent-post fields of items.

Revision ID: 0026_rule_effects
Revises: 0008_verdicts
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0026_rule_effects"
down_revision = "0008_verdicts"  # owns verdicts and decisions; items (0001_core) come before it
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("verdicts", sa.Column("effects", Json))
    op.add_column("decisions", sa.Column("effects", Json))
    op.add_column("items", sa.Column("is_edited", sa.Boolean()))
    op.add_column("items", sa.Column("is_top_level", sa.Boolean()))
    op.add_column("items", sa.Column("parent_post", Json))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("parent_post")
        batch.drop_column("is_top_level")
        batch.drop_column("is_edited")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("effects")
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_column("effects")
