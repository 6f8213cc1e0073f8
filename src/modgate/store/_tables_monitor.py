"""Tables of the `monitor` package: findings, alerts, deliveries, incidents, review outcomes.

Added by the `0020_monitor` migration. `decision_features` holds the text features monitors need,
computed once per decision (never by re-tokenizing the decision log); `review_outcomes` is fed by
the review queue and appeals when they land.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from modgate.store._tables import JsonType, PortableJson, metadata
from modgate.store._tables_enforce import decisions

# Monitors select decisions by time window; the decision log's own table had no index on it.
Index("ix_decisions_decided_at", decisions.c.decided_at)

_Id = BigInteger().with_variant(Integer, "sqlite")
_Tz = DateTime(timezone=True)

monitor_findings = Table(
    "monitor_findings",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("monitor", String(256), nullable=False),
    Column("monitor_hash", String(64), nullable=False),
    Column("check_name", String(128), nullable=False),
    Column("segment", String(512), nullable=False),
    Column("statistic", String(64), nullable=False),
    Column("value", Float),
    Column("p_value", Float),
    Column("q_value", Float),
    Column("fired", Boolean, nullable=False),
    Column("window_start", _Tz, nullable=False),
    Column("window_end", _Tz, nullable=False),
    Column("reference_start", _Tz),
    Column("reference_end", _Tz),
    Column("evidence", JsonType, nullable=False),
    Column("run_at", _Tz, nullable=False),
    Index("ix_monitor_findings_monitor_run_at", "monitor", "run_at"),
    Index("ix_monitor_findings_run_id", "run_id"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("dedup_key", String(1024), nullable=False),
    # dedup_key while the alert is open or acknowledged, NULL once resolved: one live alert per key
    Column("live_key", String(1024)),
    Column("monitor", String(256), nullable=False),
    Column("check_name", String(128), nullable=False),
    Column("segment", String(512), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("evidence", JsonType, nullable=False),
    Column("first_seen_at", _Tz, nullable=False),
    Column("last_seen_at", _Tz, nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("acked_by", String(256)),
    Column("acked_at", _Tz),
    Column("incident_id", BigInteger),
    # Added by 0027_monitor_links: the deployment change near the alert's start (SQL NULL if none)
    Column("deployment_id", String(300)),
    Column("deployment", PortableJson(none_as_null=True)),
    UniqueConstraint("live_key"),
    Index("ix_alerts_status", "status"),
    Index("ix_alerts_dedup_key", "dedup_key"),
    Index("ix_alerts_deployment_id", "deployment_id"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("alert_id", BigInteger, nullable=False),
    Column("target", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_http_status", Integer),
    Column("last_error", Text),
    Column("created_at", _Tz, nullable=False),
    Column("updated_at", _Tz, nullable=False),
    Column("payload", JsonType, nullable=False),
    Index("ix_alert_deliveries_status", "status"),
    Index("ix_alert_deliveries_alert_id", "alert_id"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("alert_id", BigInteger),
    Column("opened_at", _Tz, nullable=False),
    Column("opened_by", String(256), nullable=False),
    Column("resolved_at", _Tz),
    Column("resolved_by", String(256)),
    Column("resolution", Text),
    Index("ix_incidents_status", "status"),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("incident_id", BigInteger, nullable=False),
    Column("at", _Tz, nullable=False),
    Column("actor", String(256), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("details", JsonType, nullable=False),
    Index("ix_incident_events_incident_id", "incident_id"),
)

decision_features = Table(
    "decision_features",
    metadata,
    Column("decision_id", String(256), primary_key=True),
    Column("item_id", String(512), nullable=False),
    Column("decided_at", _Tz, nullable=False),
    Column("evasion_signals", Integer, nullable=False),
    Column("normalization_changed", Boolean, nullable=False),
    Column("caught_after_normalization", Boolean, nullable=False),
    # Added by 0027_monitor_links: the item's community, written with the features
    Column("community", String(256)),
    Index("ix_decision_features_decided_at", "decided_at"),
)

review_outcomes = Table(
    "review_outcomes",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("item_id", String(512), nullable=False),
    Column("decision_id", String(256)),
    Column("policy", String(256), nullable=False),
    Column("community", String(256)),
    Column("source", String(16), nullable=False),
    Column("original_action", String(16), nullable=False),
    Column("final_action", String(16), nullable=False),
    Column("overturned", Boolean, nullable=False),
    Column("reviewed_at", _Tz, nullable=False),
    Index("ix_review_outcomes_reviewed_at", "reviewed_at"),
)
