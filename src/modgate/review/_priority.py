"""Queue priority of a task (pure).

priority = round(10 × severity × (source weight + closeness)), where

- severity is the policy's: low 1, medium 2, high 3, critical 4;
- source weight: appeal 3 (a user is waiting on a removal), llm_error 2, uncertain 2,
  shadow_disagreement 1.5, manual 1.5, monitor_sample 1;
- closeness = 1 − |score − 0.5| × 2 ∈ [0, 1]: how near the acting verdict's score is to the
  middle (0 at a confident 0 or 1, 1 at 0.5); 0.5 when no score is known.

Age is not folded into the number: tasks of equal priority are served oldest first, and
`QueueSummary.oldest_enqueued_at` shows the age per queue.
"""

from __future__ import annotations

from modgate.errors import ValidationError

SEVERITY_WEIGHT: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}
SOURCE_WEIGHT: dict[str, float] = {
    "appeal": 3.0,
    "llm_error": 2.0,
    "uncertain": 2.0,
    "shadow_disagreement": 1.5,
    "manual": 1.5,
    "monitor_sample": 1.0,
}


def closeness(score: float | None) -> float:
    """How close a score is to the undecided middle: 1 − |score − 0.5| × 2 (0.5 if unknown)."""
    if score is None:
        return 0.5
    if not 0.0 <= score <= 1.0:
        raise ValidationError(f"score {score!r} is outside [0, 1]")
    return 1.0 - abs(score - 0.5) * 2.0


def task_priority(severity: str | None, source: str, score: float | None) -> int:
    """The priority of a task (see the module docstring for the formula).

    Args:
        severity: The policy's severity (None: medium).
        source: Why the task is queued.
        score: Score of the verdict that routed it, if any.

    Raises:
        ValidationError: Unknown severity or source, or a score outside [0, 1].
    """
    sev = SEVERITY_WEIGHT.get(severity or "medium")
    if sev is None:
        raise ValidationError(f"unknown severity {severity!r}", hint=", ".join(SEVERITY_WEIGHT))
    weight = SOURCE_WEIGHT.get(source)
    if weight is None:
        raise ValidationError(f"unknown source {source!r}", hint=", ".join(SOURCE_WEIGHT))
    return round(10 * sev * (weight + closeness(score)))
