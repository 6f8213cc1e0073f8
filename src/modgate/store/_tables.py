"""SQLAlchemy Core tables: one MetaData that Alembic migrations mirror.

Later capabilities add their tables in their own `_tables_<area>.py` module on the same
`metadata`, imported at the bottom of this file, and a migration of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

metadata: MetaData = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class PortableJson(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL (queryable with ->> in both).

    A `TypeDecorator` rather than `JSON().with_variant(JSONB(), "postgresql")` so that the
    PostgreSQL dialect (about 50 ms of imports) loads only when a PostgreSQL engine uses the
    type: a read on the default SQLite store never imports it (start-up, issue 16).
    """

    impl = JSON
    cache_ok = True

    def __init__(self, none_as_null: bool = False) -> None:
        super().__init__(none_as_null=none_as_null)
        self.none_as_null = none_as_null

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB(none_as_null=self.none_as_null))
        return dialect.type_descriptor(JSON(none_as_null=self.none_as_null))


JsonType: TypeEngine[Any] = PortableJson()
"""JSON on SQLite, JSONB on PostgreSQL (queryable with ->> in both)."""
_NullableJson: TypeEngine[Any] = PortableJson(none_as_null=True)

items = Table(
    "items",
    metadata,
    Column("id", String(512), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("community", String(256)),
    Column("title", Text),
    Column("body", Text, nullable=False),
    Column("url", Text),
    Column("author_id", String(512)),
    Column("author", JsonType),
    Column("parent_id", String(512)),
    Column("parent_text", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("language", String(16)),
    # Added by 0026_rule_effects: edited / top-level marks and the post a comment is in.
    Column("is_edited", Boolean),
    Column("is_top_level", Boolean),
    Column("parent_post", _NullableJson),
    Column("meta", JsonType),
    Column("content_hash", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_items_community_created_at", "community", "created_at"),
    Index("ix_items_created_at", "created_at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("action", String(128), nullable=False),
    Column("object_type", String(64), nullable=False),
    Column("object_id", String(512), nullable=False),
    Column("details", JsonType),
    Index("ix_audit_events_object", "object_type", "object_id"),
    Index("ix_audit_events_at", "at"),
)

enforcer_versions = Table(
    "enforcer_versions",
    metadata,
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("policy", String(256)),
    Column("spec", JsonType, nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("artifact_hash", String(64)),
    Column("data_hash", String(64)),
    Column("version_hash", String(64), nullable=False),
    Column("artifact_path", Text),
    Column("metrics", JsonType),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    PrimaryKeyConstraint("name", "version"),
    Index("ix_enforcer_versions_version_hash", "version_hash"),
)

from modgate.store import _tables_enforce as _tables_enforce  # noqa: E402,F401  (enforce)
from modgate.store import _tables_eval  # noqa: E402,F401  (eval runs, predictions, gate reports)
from modgate.store import _tables_golden as _tables_golden  # noqa: E402,F401  (golden tables)
from modgate.store import _tables_llm as _tables_llm  # noqa: E402,F401  (LLM cache and runs)
from modgate.store import _tables_monitor as _tables_monitor  # noqa: E402,F401  (monitor)
from modgate.store import _tables_redteam as _tables_redteam  # noqa: E402,F401  (red-team runs)
from modgate.store import _tables_release as _tables_release  # noqa: E402,F401  (deployments)
from modgate.store import _tables_review as _tables_review  # noqa: E402,F401  (review queue)
from modgate.store import _tables_rollups as _tables_rollups  # noqa: E402,F401  (roll-ups)
from modgate.store import _tables_serve as _tables_serve  # noqa: E402,F401  (API keys)
from modgate.store import _tables_ui as _tables_ui  # noqa: E402,F401  (web UI accounts)
from modgate.store._tables_policy import policy_versions  # noqa: E402, F401
