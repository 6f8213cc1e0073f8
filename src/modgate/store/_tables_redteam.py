"""Tables of red-team runs: one row per run, its report as JSON, bound to the clean eval run."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table

from modgate.store._tables import JsonType, metadata

redteam_runs = Table(
    "redteam_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("eval_run_id", String(64)),
    Column("enforcer", String(256), nullable=False),
    Column("enforcer_version_hash", String(64), nullable=False),
    Column("golden", String(256), nullable=False),
    Column("golden_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("report", JsonType, nullable=False),
    Index("ix_redteam_runs_enforcer", "enforcer"),
)

__all__ = ["redteam_runs"]
