"""Tables of published policy versions (issue 5)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from modgate.store._tables import JsonType, metadata

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("scope", String(256), nullable=False),
    Column("title", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("policy", JsonType, nullable=False),
    Column("source_yaml", Text),
    Column("prompt_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    PrimaryKeyConstraint("id", "version"),
    Index("ix_policy_versions_content_hash", "content_hash"),
    Index("ix_policy_versions_scope", "scope"),
)
