"""Launch impact: expected actions and review load per community and policy (pure).

Given verdict counts of a candidate version and of the version it would replace over the same
items, each (community, policy) row says how many items each version would remove, send to
review or act on otherwise, and the review load per day over the window.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action

Counts = Mapping[tuple[str, str, str], int]
"""Verdict counts keyed by (community, policy, action)."""


class ImpactRow(BaseModel):
    """One community and policy: what the candidate would do against the current version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    """Community (`""`: items without one)."""
    policy: str
    """Policy name (versions of one policy share a row)."""
    items: int
    """Items the candidate judged here."""
    candidate: dict[str, int]
    """Candidate's count per action."""
    baseline: dict[str, int]
    """Current version's count per action (empty without a baseline)."""
    review: int
    """Items the candidate sends to review."""
    review_delta: int
    """Candidate's review count minus the baseline's."""
    review_per_day: float | None
    """Candidate's review load per day of the window (None: window unknown)."""


class ImpactReport(BaseModel):
    """The launch-impact report of a backfill."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    candidate: str
    """`name@version` backfilled."""
    baseline: str | None
    """`name@version` compared against (None: no baseline)."""
    days: float | None
    """Length of the window in days (None: unknown)."""
    rows: tuple[ImpactRow, ...]
    """One row per (community, policy), sorted by review load, highest first."""

    def review_per_day(self) -> float | None:
        """Total review load per day of the candidate (None: window unknown)."""
        if self.days is None:
            return None
        return sum(r.review for r in self.rows) / self.days


def _by_policy_name(counts: Counts) -> dict[tuple[str, str, str], int]:
    """Counts keyed by policy name (`hate@2` and `hate@1` are the same policy's rows)."""
    merged: dict[tuple[str, str, str], int] = {}
    for (community, policy, action), n in counts.items():
        key = (community, policy.split("@", 1)[0], action)
        merged[key] = merged.get(key, 0) + n
    return merged


def launch_impact(
    candidate: str,
    candidate_counts: Counts,
    baseline: str | None,
    baseline_counts: Counts,
    *,
    days: float | None,
) -> ImpactReport:
    """Build the impact report from per-(community, policy, action) verdict counts.

    Args:
        candidate: `name@version` of the candidate.
        candidate_counts: Its verdict counts.
        baseline: `name@version` it would replace (None: none).
        baseline_counts: The baseline's counts over the same items (empty without one).
        days: Window length in days (None or not positive: no per-day figure).

    Returns:
        The report.
    """
    per_day = days if days is not None and days > 0 else None
    candidate_counts = _by_policy_name(candidate_counts)
    baseline_counts = _by_policy_name(baseline_counts)
    keys = {(c, p) for c, p, _ in candidate_counts} | {(c, p) for c, p, _ in baseline_counts}
    rows = []
    for community, policy in keys:
        cand = {a: n for (c, p, a), n in candidate_counts.items() if (c, p) == (community, policy)}
        base = {a: n for (c, p, a), n in baseline_counts.items() if (c, p) == (community, policy)}
        review = cand.get(Action.REVIEW.value, 0)
        rows.append(
            ImpactRow(
                community=community,
                policy=policy,
                items=sum(cand.values()),
                candidate=dict(sorted(cand.items())),
                baseline=dict(sorted(base.items())),
                review=review,
                review_delta=review - base.get(Action.REVIEW.value, 0),
                review_per_day=None if per_day is None else review / per_day,
            )
        )
    rows.sort(key=lambda r: (-r.review, r.community, r.policy))
    return ImpactReport(candidate=candidate, baseline=baseline, days=per_day, rows=tuple(rows))


__all__ = ["ImpactReport", "ImpactRow", "launch_impact"]
