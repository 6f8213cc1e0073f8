"""Alerts name the deployment that caused them; decision features carry the community.

`alerts.deployment_id` / `alerts.deployment` link an alert to the deployment change near its
start; `decision_features.community` lets monitors group features without joining items.

Revision ID: 0027_monitor_links
Revises: 0020_monitor
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0027_monitor_links"
down_revision = "0020_monitor"
branch_labels = None
depends_on = None

Json = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("deployment_id", sa.String(300)))
        batch.add_column(sa.Column("deployment", Json))
    op.create_index("ix_alerts_deployment_id", "alerts", ["deployment_id"])
    with op.batch_alter_table("decision_features") as batch:
        batch.add_column(sa.Column("community", sa.String(256)))


def downgrade() -> None:
    with op.batch_alter_table("decision_features") as batch:
        batch.drop_column("community")
    op.drop_index("ix_alerts_deployment_id", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("deployment")
        batch.drop_column("deployment_id")
