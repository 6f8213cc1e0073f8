"""Tables of the `ui` package: local accounts, queue grants, sessions, login attempts, queries.

Added by the `0029_accounts` migration.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from modgate.store._tables import metadata
from modgate.store._tables_release import decision_arms

# The web UI's actions-over-time figure counts each (policy, arm, action) per time bucket: an
# index range count each, read from the index alone.
Index(
    "ix_decision_arms_policy_arm_action_at",
    decision_arms.c.policy,
    decision_arms.c.arm,
    decision_arms.c.action,
    decision_arms.c.decided_at,
)

ui_accounts = Table(
    "ui_accounts",
    metadata,
    Column("username", String(128), primary_key=True),
    # argon2id encoded hash (parameters and salt inside): the password itself is never stored
    Column("password_hash", String(256), nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

ui_queue_grants = Table(
    "ui_queue_grants",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column(
        "username",
        String(128),
        ForeignKey("ui_accounts.username", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("policy", String(256), nullable=False),
    # '*' grants every community of the policy (NULL cannot sit in a unique constraint portably)
    Column("community", String(256), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("granted_by", String(256), nullable=False),
    UniqueConstraint("username", "policy", "community"),
)

ui_sessions = Table(
    "ui_sessions",
    metadata,
    # SHA-256 of the cookie's random token: a stolen table cannot be replayed as cookies
    Column("token_hash", String(64), primary_key=True),
    Column(
        "username",
        String(128),
        ForeignKey("ui_accounts.username", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("client", String(128)),
    Index("ix_ui_sessions_username", "username"),
    Index("ix_ui_sessions_expires_at", "expires_at"),
)

ui_login_attempts = Table(
    "ui_login_attempts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("username", String(128), nullable=False),
    Column("client", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_ui_login_attempts_username_at", "username", "at"),
    Index("ix_ui_login_attempts_client_at", "client", "at"),
)

ui_saved_queries = Table(
    "ui_saved_queries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("name", String(256), nullable=False),
    Column("sql", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(128), nullable=False),
    UniqueConstraint("name"),
)
