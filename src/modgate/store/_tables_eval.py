"""Tables of evaluation and release: eval runs, their per-item predictions, gate reports."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from modgate.store._tables import JsonType, metadata

eval_runs = Table(
    "eval_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("enforcer", String(256), nullable=False),
    Column("enforcer_version_hash", String(64), nullable=False),
    Column("policy", String(256)),
    Column("golden", String(256), nullable=False),
    Column("golden_hash", String(64), nullable=False),
    Column("split", String(32), nullable=False),
    Column("n_items", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("figures", JsonType, nullable=False),
    Column("reliability", JsonType, nullable=False),
    Index("ix_eval_runs_golden_hash", "golden_hash"),
    Index("ix_eval_runs_enforcer", "enforcer"),
)

eval_predictions = Table(
    "eval_predictions",
    metadata,
    Column(
        "run_id",
        String(64),
        ForeignKey("eval_runs.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("item_id", String(512), nullable=False),
    Column("gold_label", String(16), nullable=False),
    Column("score", Float),
    Column("predicted_label", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("criteria", JsonType),
    Column("gold_criteria", JsonType),
    Column("error", Text),
    Column("latency_ms", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("slices", JsonType),
    PrimaryKeyConstraint("run_id", "item_id"),
)

gate_reports = Table(
    "gate_reports",
    metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "run_id",
        String(64),
        ForeignKey("eval_runs.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("gate_name", String(256), nullable=False),
    Column("gate_hash", String(64), nullable=False),
    Column("enforcer_version_hash", String(64), nullable=False),
    Column("golden_hash", String(64), nullable=False),
    Column("baseline_run_id", String(64)),
    Column("verdict", String(8), nullable=False),
    Column("report", JsonType, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Index("ix_gate_reports_run_id", "run_id"),
)
