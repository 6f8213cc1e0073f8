"""Typed records of the review queue: queues, tasks, the reviewer's context, decisions, appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item

TaskSource = Literal[
    "uncertain", "llm_error", "shadow_disagreement", "appeal", "monitor_sample", "manual"
]
TASK_SOURCES: tuple[str, ...] = (
    "uncertain",
    "llm_error",
    "shadow_disagreement",
    "appeal",
    "monitor_sample",
    "manual",
)
"""Why a task is in the queue."""
TaskStatus = Literal["open", "claimed", "decided"]
ReviewLabel = Literal["violating", "non_violating"]
AppealStatus = Literal["open", "upheld", "overturned"]
AppealOutcome = Literal["upheld", "overturned"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QueueKey(_Frozen):
    """One queue: a policy (id, no version) in one community (None: site-wide items)."""

    policy: str
    """Policy id, without version."""
    community: str | None
    """Community of the items, or None for items without one."""


class QueueSummary(_Frozen):
    """How full one queue is."""

    key: QueueKey
    """The queue."""
    open: int
    """Tasks waiting (including claims that expired)."""
    claimed: int
    """Tasks held by a reviewer whose claim has not expired."""
    oldest_enqueued_at: datetime | None
    """When the oldest undecided task arrived."""
    max_priority: int
    """Highest priority among undecided tasks (0 when empty)."""


class ReviewTask(_Frozen):
    """One item waiting for (or given) a human decision under one policy."""

    id: int
    """Task id."""
    item_id: str
    """The item."""
    decision_id: str | None
    """The automated decision that routed it (None for manual and some monitor samples)."""
    policy: str
    """Policy id (no version)."""
    community: str | None
    """Community of the item."""
    source: TaskSource
    """Why it is queued."""
    priority: int
    """Higher first; ties are served oldest first (see docs/review.md)."""
    enqueued_at: datetime
    """When it was queued (UTC)."""
    status: TaskStatus
    """open, claimed or decided (an expired claim reads as open)."""
    claimed_by: str | None
    """Reviewer holding (or who last held) the claim."""
    claimed_at: datetime | None
    """When the claim was taken."""
    claim_expires_at: datetime | None
    """When the claim lapses if not decided."""
    appeal_id: int | None
    """The appeal this task re-reviews."""


class VerdictView(_Frozen):
    """One enforcer's verdict, as the reviewer sees it."""

    enforcer: str
    """`name@version` (or `name@version (shadow)`)."""
    policy: str
    """`policy@version` it judged."""
    score: float | None
    """Its score, when stored."""
    label: str | None
    """violating / non_violating, when stored."""
    action: str | None
    """What it asked for."""
    criteria: tuple[str, ...]
    """Criteria ids it fired."""
    rationale: str | None
    """Its rationale."""
    error: str | None
    """Its error, if it failed (then it asked for review)."""


class ReviewDecision(_Frozen):
    """A reviewer's decision on a task."""

    id: int
    """Decision id (of the review)."""
    task_id: int
    """The task decided."""
    reviewer: str
    """Who decided."""
    label: ReviewLabel
    """The reviewer's label."""
    action: str
    """The resulting action: remove for violating, allow for non_violating."""
    criteria: tuple[str, ...]
    """Criteria the reviewer found (ids of the policy's `violates`)."""
    note: str | None
    """Free text."""
    claimed_at: datetime
    """When the reviewer claimed the task (for SLAs: decided_at − claimed_at)."""
    decided_at: datetime
    """When the reviewer decided."""
    overturned: bool
    """Whether the human label differs from the automated one."""


class ReviewContext(_Frozen):
    """Everything a reviewer needs to decide a task."""

    task: ReviewTask
    """The task."""
    item: Item
    """The item (community, author signals, parent id)."""
    parent_text: str | None
    """Text of the parent item (from the item, else from the stored parent)."""
    verdicts: tuple[VerdictView, ...]
    """Every enforcer's verdict behind the decision, shadows included."""
    policy_title: str
    """The policy's title."""
    policy_definition: str
    """The policy's definition."""
    criteria: tuple[tuple[str, str], ...]
    """(id, text) of each criterion that violates the policy."""
    allowed: tuple[tuple[str, str], ...]
    """(id, text) of each allowed context."""
    sensitive_spans: tuple[tuple[int, int], ...]
    """Character spans of `item.text` to mask until revealed (sorted, non-overlapping)."""
    first_review: ReviewDecision | None
    """For an appeal: the review that is appealed (None if the removal was automated)."""


class Appeal(_Frozen):
    """An appeal against a removal."""

    id: int
    """Appeal id."""
    decision_id: str
    """The appealed decision."""
    item_id: str
    """The removed item."""
    policy: str
    """Policy id the removal was under."""
    appellant: str | None
    """Who appealed (e.g. the author's id)."""
    statement: str
    """What the appellant says."""
    opened_at: datetime
    """When it was opened."""
    status: AppealStatus
    """open, upheld or overturned."""
    first_reviewer: str | None
    """Reviewer of the appealed decision (None if automated); may not decide the appeal."""
    decided_by: str | None
    """Reviewer who decided the appeal."""
    decided_at: datetime | None
    """When it was decided."""


class ReviewConfig(_Frozen):
    """Where review decisions become golden annotations, and how many."""

    golden_set: str = "review"
    """Golden set the sampled review decisions are written to."""
    sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    """Share of review decisions written as annotations (by a hash of item and policy)."""
    sample_rates: dict[str, float] = Field(default_factory=dict)
    """Per-policy rates that override `sample_rate`."""
    sample_seed: str = ""
    """Salt of the sampling hash: change it to draw a different (still deterministic) sample."""
    appeals_golden_set: str = "appeals"
    """Golden set overturned appeals land in, as candidates carrying both labels."""
    claim_timeout_s: int = Field(default=600, ge=10)
    """Default claim timeout of the CLI and HTTP API."""

    def rate_for(self, policy: str) -> float:
        """The sampling rate of a policy."""
        return self.sample_rates.get(policy, self.sample_rate)


class SyncResult(_Frozen):
    """What one `sync_from_decisions` pass did (the library returns the count only)."""

    scanned: int
    """Decisions read."""
    enqueued: int
    """Tasks created."""
