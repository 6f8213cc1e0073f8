"""Tables of the LLM judge: the response cache and per-run reliability figures."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from modgate.store._tables import JsonType, metadata

llm_cache = Table(
    "llm_cache",
    metadata,
    Column("model", String(256), nullable=False),
    Column("prompt_hash", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("raw_reply", Text, nullable=False),
    Column("result", JsonType, nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cost", Float, nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("model", "prompt_hash", "content_hash"),
)

llm_runs = Table(
    "llm_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("enforcer", String(256), nullable=False),
    Column("model", String(256), nullable=False),
    Column("prompt_hash", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("items", Integer, nullable=False),
    Column("calls", Integer, nullable=False),
    Column("cache_hits", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("parse_failures", Integer, nullable=False),
    Column("cost", Float, nullable=False),
    Column("stats", JsonType, nullable=False),
    Index("ix_llm_runs_enforcer_started_at", "enforcer", "started_at"),
)
