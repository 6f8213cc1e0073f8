"""Frozen golden rows keep how many ratings their gold label rests on.

Revision ID: 0025_golden_raters
Revises: 0007_golden
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_golden_raters"
down_revision = "0007_golden"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("golden_version_items") as batch:
        batch.add_column(sa.Column("raters", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("golden_version_items") as batch:
        batch.drop_column("raters")
