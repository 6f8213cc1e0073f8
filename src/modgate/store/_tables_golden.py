"""Golden-set tables: sets, their items, annotations, adjudications and frozen versions.

Golden items are rows of `items` (written through the items repository) plus what this
module's tables say about them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

golden_sets = Table(
    "golden_sets",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("description", Text),
    Column("config", JsonType, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

golden_items = Table(
    "golden_items",
    metadata,
    Column("set_name", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("tags", JsonType, nullable=False),
    Column("allowed", JsonType, nullable=False),
    Column("criteria", JsonType, nullable=False),
    Column("source", String(512)),
    Column("group_key", String(512)),
    Column("gold_label", String(128)),
    Column("gold_method", String(32)),
    Column("added_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("set_name", "item_id"),
)

golden_annotations = Table(
    "annotations",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("set_name", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("annotator", String(256)),
    Column("label", String(128), nullable=False),
    Column("votes", Integer, nullable=False),
    Column("rationale", Text),
    Column("origin", String(512), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Index("ix_annotations_set_name_item_id", "set_name", "item_id"),
)

golden_adjudications = Table(
    "adjudications",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("set_name", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("label", String(128), nullable=False),
    Column("previous_label", String(128)),
    Column("method", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(256), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_adjudications_set_name_item_id", "set_name", "item_id"),
)

golden_versions = Table(
    "golden_versions",
    metadata,
    Column("set_name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("frozen_at", DateTime(timezone=True), nullable=False),
    Column("frozen_by", String(256), nullable=False),
    Column("config", JsonType, nullable=False),
    PrimaryKeyConstraint("set_name", "version"),
    Index("ix_golden_versions_content_hash", "content_hash"),
)

golden_version_items = Table(
    "golden_version_items",
    metadata,
    Column("set_name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("item_hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("community", String(256)),
    Column("policy", String(256), nullable=False),
    Column("gold_label", String(128), nullable=False),
    Column("weight", Float, nullable=False),
    Column("split", String(16), nullable=False),
    Column("tags", JsonType, nullable=False),
    Column("allowed", JsonType, nullable=False),
    Column("criteria", JsonType, nullable=False),
    Column("source", String(512)),
    Column("group_key", String(512), nullable=False),
    # Ratings behind the gold label (None: frozen before 0025); one rating is not unanimity.
    Column("raters", Integer),
    PrimaryKeyConstraint("set_name", "version", "item_id"),
)
