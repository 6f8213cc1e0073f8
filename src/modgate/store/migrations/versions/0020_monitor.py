"""Monitor findings, alerts and their deliveries, incidents, decision features, review outcomes.

Also indexes `decisions.decided_at`: monitors read the decision log by time window.

Revision ID: 0020_monitor
Revises: 0008_verdicts
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020_monitor"
down_revision = "0008_verdicts"  # indexes the decisions table it creates
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])
    op.create_table(
        "monitor_findings",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("monitor", sa.String(256), nullable=False),
        sa.Column("monitor_hash", sa.String(64), nullable=False),
        sa.Column("check_name", sa.String(128), nullable=False),
        sa.Column("segment", sa.String(512), nullable=False),
        sa.Column("statistic", sa.String(64), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("p_value", sa.Float()),
        sa.Column("q_value", sa.Float()),
        sa.Column("fired", sa.Boolean(), nullable=False),
        sa.Column("window_start", Tz, nullable=False),
        sa.Column("window_end", Tz, nullable=False),
        sa.Column("reference_start", Tz),
        sa.Column("reference_end", Tz),
        sa.Column("evidence", Json, nullable=False),
        sa.Column("run_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_findings"),
    )
    op.create_index("ix_monitor_findings_monitor_run_at", "monitor_findings", ["monitor", "run_at"])
    op.create_index("ix_monitor_findings_run_id", "monitor_findings", ["run_id"])
    op.create_table(
        "alerts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(1024), nullable=False),
        sa.Column("live_key", sa.String(1024)),
        sa.Column("monitor", sa.String(256), nullable=False),
        sa.Column("check_name", sa.String(128), nullable=False),
        sa.Column("segment", sa.String(512), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("evidence", Json, nullable=False),
        sa.Column("first_seen_at", Tz, nullable=False),
        sa.Column("last_seen_at", Tz, nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("acked_by", sa.String(256)),
        sa.Column("acked_at", Tz),
        sa.Column("incident_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("live_key", name="uq_alerts_live_key"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_index("ix_alerts_dedup_key", "alerts", ["dedup_key"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_http_status", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("updated_at", Tz, nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status"])
    op.create_index("ix_alert_deliveries_alert_id", "alert_deliveries", ["alert_id"])
    op.create_table(
        "incidents",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("alert_id", sa.BigInteger()),
        sa.Column("opened_at", Tz, nullable=False),
        sa.Column("opened_by", sa.String(256), nullable=False),
        sa.Column("resolved_at", Tz),
        sa.Column("resolved_by", sa.String(256)),
        sa.Column("resolution", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_table(
        "incident_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("at", Tz, nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("details", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incident_events"),
    )
    op.create_index("ix_incident_events_incident_id", "incident_events", ["incident_id"])
    op.create_table(
        "decision_features",
        sa.Column("decision_id", sa.String(256), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("decided_at", Tz, nullable=False),
        sa.Column("evasion_signals", sa.Integer(), nullable=False),
        sa.Column("normalization_changed", sa.Boolean(), nullable=False),
        sa.Column("caught_after_normalization", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name="pk_decision_features"),
    )
    op.create_index("ix_decision_features_decided_at", "decision_features", ["decided_at"])
    op.create_table(
        "review_outcomes",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("decision_id", sa.String(256)),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("community", sa.String(256)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("original_action", sa.String(16), nullable=False),
        sa.Column("final_action", sa.String(16), nullable=False),
        sa.Column("overturned", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_outcomes"),
    )
    op.create_index("ix_review_outcomes_reviewed_at", "review_outcomes", ["reviewed_at"])


def downgrade() -> None:
    for table in (
        "review_outcomes",
        "decision_features",
        "incident_events",
        "incidents",
        "alert_deliveries",
        "alerts",
        "monitor_findings",
    ):
        op.drop_table(table)
    op.drop_index("ix_decisions_decided_at", table_name="decisions")
