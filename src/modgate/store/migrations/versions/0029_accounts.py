"""Web UI accounts: local users, queue grants, sessions, login attempts, saved SQL queries.

Also indexes `decision_arms` by (policy, arm, action, decided_at): the UI's actions-over-time
figure counts each cell of that grid per time bucket.

Revision ID: 0029_accounts
Revises: 0018_release
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_accounts"
down_revision = "0018_release"
branch_labels = None
depends_on = None

Tz = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ui_accounts",
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("password_changed_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "ui_queue_grants",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("community", sa.String(256), nullable=False),
        sa.Column("granted_at", Tz, nullable=False),
        sa.Column("granted_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["username"], ["ui_accounts.username"], ondelete="CASCADE"),
        sa.UniqueConstraint("username", "policy", "community"),
    )
    op.create_table(
        "ui_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("expires_at", Tz, nullable=False),
        sa.Column("client", sa.String(128)),
        sa.PrimaryKeyConstraint("token_hash"),
        sa.ForeignKeyConstraint(["username"], ["ui_accounts.username"], ondelete="CASCADE"),
    )
    op.create_index("ix_ui_sessions_username", "ui_sessions", ["username"])
    op.create_index("ix_ui_sessions_expires_at", "ui_sessions", ["expires_at"])
    op.create_table(
        "ui_login_attempts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("client", sa.String(128), nullable=False),
        sa.Column("at", Tz, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ui_login_attempts_username_at", "ui_login_attempts", ["username", "at"])
    op.create_index("ix_ui_login_attempts_client_at", "ui_login_attempts", ["client", "at"])
    op.create_table(
        "ui_saved_queries",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(
        "ix_decision_arms_policy_arm_action_at",
        "decision_arms",
        ["policy", "arm", "action", "decided_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_decision_arms_policy_arm_action_at", table_name="decision_arms")
    op.drop_table("ui_saved_queries")
    op.drop_index("ix_ui_login_attempts_client_at", table_name="ui_login_attempts")
    op.drop_index("ix_ui_login_attempts_username_at", table_name="ui_login_attempts")
    op.drop_table("ui_login_attempts")
    op.drop_index("ix_ui_sessions_expires_at", table_name="ui_sessions")
    op.drop_index("ix_ui_sessions_username", table_name="ui_sessions")
    op.drop_table("ui_sessions")
    op.drop_table("ui_queue_grants")
    op.drop_table("ui_accounts")
