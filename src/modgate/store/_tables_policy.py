"""Tables of published policy versions (issue 5) and of community policies at scale (issue 23)."""

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

# -- community policies imported at scale (issue 23) -------------------------------------------

community_imports = Table(
    "community_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("stats", JsonType, nullable=False),
)
"""One `policy import-community` run; ids increase, so they order the imports."""

community_rules = Table(
    "community_rules",
    metadata,
    Column("community", String(256), nullable=False),
    Column("rule_key", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("applies_to", String(16), nullable=False),
    Column("reason", Text),
    Column("examples", JsonType, nullable=False),
    Column("position", Integer, nullable=False),
    Column("imported_in", Integer, nullable=False),
    Column("retired_in", Integer),
    PrimaryKeyConstraint("community", "rule_key", "version"),
    Index("ix_community_rules_retired_in", "retired_in"),
    Index("ix_community_rules_imported_in", "imported_in"),
)
"""Versions of one community rule: live from import `imported_in` until `retired_in` (None =
current); a reworded rule retires its old version and gets a new one."""

community_policy_versions = Table(
    "community_policy_versions",
    metadata,
    Column("community", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("rules", Integer, nullable=False),
    Column("import_id", Integer, nullable=False),
    PrimaryKeyConstraint("community", "version"),
)
"""Versions of a community's policy (scope `community:NAME`): a new one whenever one of its
rules is added, removed or reworded."""

community_families = Table(
    "community_families",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("example", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("communities", Integer, nullable=False),
    Column("threshold", Float),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("params", JsonType, nullable=False),
)
"""Families of near-duplicate community rules (one enforcer may serve a family)."""

community_family_members = Table(
    "community_family_members",
    metadata,
    Column("family_id", Integer, nullable=False),
    Column("community", String(256), nullable=False),
    Column("rule_key", String(128), nullable=False),
    Column("similarity", Float, nullable=False),
    Column("threshold", Float),
    PrimaryKeyConstraint("community", "rule_key"),
    Index("ix_community_family_members_family", "family_id"),
)
"""Which family a current rule belongs to, with its similarity to the family's example and
an optional per-community threshold (None: the family's)."""
