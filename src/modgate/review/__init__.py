"""Human review: the queue (routing, claims, decisions, undo), appeals, statements of reasons.

Decisions routed to review (uncertain band, LLM errors, shadow disagreement), monitor samples
and appeals are queued per policy and community; reviewers claim a task exclusively, see its
context with sensitive spans masked, and decide. Decisions feed `review_outcomes` (the
overturn monitors) and, sampled, the review golden set; overturned appeals become golden
candidates with both labels. Every removal exports as a DSA statement of reasons.
"""

from modgate.review._appeals import (
    decide_appeal,
    get_appeal,
    list_appeals,
    open_appeal,
)
from modgate.review._priority import SEVERITY_WEIGHT, SOURCE_WEIGHT, closeness, task_priority
from modgate.review._queue import (
    DEFAULT_CLAIM_TIMEOUT,
    ReviewGoldenWarning,
    claim_next,
    claim_task,
    configure_review,
    decide,
    enqueue,
    exposure_counts,
    get_task,
    list_queues,
    list_tasks,
    record_reveal,
    release_claim,
    review_config,
    review_context,
    sync_from_decisions,
    undo_last,
)
from modgate.review._sampling import is_sampled, sample_fraction
from modgate.review._schema import (
    TASK_SOURCES,
    Appeal,
    AppealOutcome,
    AppealStatus,
    QueueKey,
    QueueSummary,
    ReviewConfig,
    ReviewContext,
    ReviewDecision,
    ReviewLabel,
    ReviewTask,
    TaskSource,
    TaskStatus,
    VerdictView,
)
from modgate.review._sensitive import find_sensitive_spans, mask_text, merge_spans

__all__ = [
    "DEFAULT_CLAIM_TIMEOUT",
    "SEVERITY_WEIGHT",
    "SOURCE_WEIGHT",
    "TASK_SOURCES",
    "Appeal",
    "AppealOutcome",
    "AppealStatus",
    "QueueKey",
    "QueueSummary",
    "ReviewConfig",
    "ReviewContext",
    "ReviewDecision",
    "ReviewGoldenWarning",
    "ReviewLabel",
    "ReviewTask",
    "TaskSource",
    "TaskStatus",
    "VerdictView",
    "claim_next",
    "claim_task",
    "closeness",
    "configure_review",
    "decide",
    "decide_appeal",
    "enqueue",
    "exposure_counts",
    "find_sensitive_spans",
    "get_appeal",
    "get_task",
    "is_sampled",
    "list_appeals",
    "list_queues",
    "list_tasks",
    "mask_text",
    "merge_spans",
    "open_appeal",
    "record_reveal",
    "release_claim",
    "review_config",
    "review_context",
    "sample_fraction",
    "sync_from_decisions",
    "task_priority",
    "undo_last",
]
