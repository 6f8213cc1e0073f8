"""Tables of the `release` package: deployments, the arm of each decision, reversal records.

Added by the `0018_release` migration, which also adds the deployment columns of `decisions`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from modgate.store._tables import JsonType, metadata

deployments = Table(
    "deployments",
    metadata,
    # A global counter: its maximum changes whenever any deployment changes (cheap reload).
    Column(
        "serial", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("id", String(300), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", JsonType, nullable=False),
    Column("base_id", String(300)),
    Column("change", String(16), nullable=False),
    Column("stage", String(16)),
    Column("enforcer", String(300)),
    Column("restored_id", String(300)),
    Column("forced", Boolean, nullable=False),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    UniqueConstraint("id"),
    # One record per step of a policy's history: concurrent changes cannot both land.
    UniqueConstraint("policy", "seq"),
)

decision_arms = Table(
    "decision_arms",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("decision_id", String(256), nullable=False),
    Column("deployment_id", String(300), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("arm", String(16), nullable=False),
    Column("enforcer", String(300), nullable=False),
    Column("action", String(16), nullable=False),
    Column("final_action", String(16), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("community", String(256)),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("decision_id", "policy"),
    Index("ix_decision_arms_deployment_id", "deployment_id"),
)

reversals = Table(
    "reversals",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("deployment_id", String(300), nullable=False),
    Column("decision_id", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("community", String(256)),
    Column("policy", String(256), nullable=False),
    Column("enforcer", String(300), nullable=False),
    Column("taken_action", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("applied_at", DateTime(timezone=True)),
    UniqueConstraint("deployment_id", "decision_id"),
    Index("ix_reversals_item_id", "item_id"),
)
