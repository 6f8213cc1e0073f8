"""LLM judge: response cache and per-run reliability figures.

Revision ID: 0009_llm
Revises: 0001_core
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009_llm"
down_revision = "0001_core"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "llm_cache",
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("prompt_hash", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw_reply", sa.Text(), nullable=False),
        sa.Column("result", Json, nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", Tz, nullable=False),
        sa.PrimaryKeyConstraint("model", "prompt_hash", "content_hash", name="pk_llm_cache"),
    )
    op.create_table(
        "llm_runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("enforcer", sa.String(256), nullable=False),
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("prompt_hash", sa.String(64), nullable=False),
        sa.Column("started_at", Tz, nullable=False),
        sa.Column("finished_at", Tz, nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("cache_hits", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("parse_failures", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("stats", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_llm_runs"),
    )
    op.create_index("ix_llm_runs_enforcer_started_at", "llm_runs", ["enforcer", "started_at"])


def downgrade() -> None:
    op.drop_table("llm_runs")
    op.drop_table("llm_cache")
