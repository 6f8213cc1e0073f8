"""Tables of the `review` package: queue tasks, review decisions, appeals, exposures, settings.

Added by the `0028_review` migration. A task's claim lives on its row (`claimed_by`,
`claimed_at`, `claim_expires_at`): claiming is one conditional UPDATE, so two reviewers can never
hold the same task. `review_outcomes` (in `_tables_monitor`, read by the overturn monitors) is
written by `modgate.review` when a review or an appeal is decided.
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

_Id = BigInteger().with_variant(Integer, "sqlite")
_Tz = DateTime(timezone=True)

review_tasks = Table(
    "review_tasks",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    # what makes enqueueing idempotent: `decision:<decision id>:<policy>`, `appeal:<id>`, …
    Column("dedup_key", String(800), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("decision_id", String(256)),
    Column("policy", String(256), nullable=False),
    Column("community", String(256)),
    Column("source", String(32), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("enqueued_at", _Tz, nullable=False),
    Column("status", String(16), nullable=False),
    Column("claimed_by", String(256)),
    Column("claimed_at", _Tz),
    Column("claim_expires_at", _Tz),
    Column("appeal_id", BigInteger),
    # who may not take this task (an appeal's first reviewer)
    Column("excluded_reviewer", String(256)),
    Column("details", JsonType, nullable=False),
    UniqueConstraint("dedup_key"),
    Index("ix_review_tasks_status_policy_community", "status", "policy", "community"),
    Index("ix_review_tasks_priority_enqueued_at", "priority", "enqueued_at"),
    Index("ix_review_tasks_decision_id", "decision_id"),
)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("task_id", BigInteger, nullable=False),
    Column("reviewer", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("decision_id", String(256)),
    Column("policy", String(256), nullable=False),
    Column("label", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("original_action", String(16), nullable=False),
    Column("automated_label", String(32)),
    Column("criteria", JsonType, nullable=False),
    Column("note", Text),
    Column("claimed_at", _Tz, nullable=False),
    Column("decided_at", _Tz, nullable=False),
    Column("overturned", Boolean, nullable=False),
    # the review_outcomes row it wrote and the golden set it annotated (both undone by undo)
    Column("outcome_id", BigInteger),
    Column("golden_set", String(256)),
    Column("undone_at", _Tz),
    Index("ix_review_decisions_reviewer_decided_at", "reviewer", "decided_at"),
    Index("ix_review_decisions_decision_id", "decision_id"),
    Index("ix_review_decisions_task_id", "task_id"),
    Index("ix_review_decisions_decided_at", "decided_at"),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("decision_id", String(256), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("appellant", String(256)),
    Column("statement", Text, nullable=False),
    Column("opened_at", _Tz, nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_reviewer", String(256)),
    Column("first_label", String(32), nullable=False),
    Column("decided_by", String(256)),
    Column("decided_at", _Tz),
    Column("note", Text),
    # the decision id while the appeal is open, NULL once decided: one open appeal per decision
    Column("open_key", String(256)),
    UniqueConstraint("open_key"),
    Index("ix_appeals_decision_id", "decision_id"),
    Index("ix_appeals_status", "status"),
)

review_exposures = Table(
    "review_exposures",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("reviewer", String(256), nullable=False),
    Column("task_id", BigInteger, nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", _Tz, nullable=False),
    Index("ix_review_exposures_reviewer", "reviewer"),
)

review_settings = Table(
    "review_settings",
    metadata,
    # one row per setting name (`config`, `sync_watermark`)
    Column("name", String(64), primary_key=True),
    Column("value", JsonType, nullable=False),
    Column("updated_at", _Tz, nullable=False),
)
