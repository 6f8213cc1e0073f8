"""Tables of the `enforce` package: verdicts and decisions.

The enforcer catalog (`enforcer_versions`) is a core table (0001_core); these are added by the
`0008_verdicts` migration.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

_NullableJson = PortableJson(none_as_null=True)

verdicts = Table(
    "verdicts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("item_id", String(512), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("enforcer", String(256), nullable=False),
    Column("enforcer_version", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("label", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("criteria", JsonType, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Added by 0026_rule_effects: the side effects the firing rules declare (SQL NULL: none).
    Column("effects", _NullableJson),
    # One verdict per (enforcer version, item, policy): re-scoring is idempotent.
    UniqueConstraint("enforcer", "enforcer_version", "item_id", "policy"),
    Index("ix_verdicts_item_id", "item_id"),
)

decisions = Table(
    "decisions",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("decision_id", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reasons", JsonType, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    # Added by 0018_release: the deployment and arm of each policy, and the shadow verdicts.
    # SQL NULL (not JSON null) when absent, on both backends.
    Column("deployments", _NullableJson),
    Column("shadow", _NullableJson),
    # Added by 0026_rule_effects: effects of the verdicts that determined the action.
    Column("effects", _NullableJson),
    UniqueConstraint("decision_id"),
    Index("ix_decisions_item_id", "item_id"),
)
