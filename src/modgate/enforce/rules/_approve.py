"""Approval rules: a firing rule with `approves` overrides the hits of the rules it names.

Pure. This is how AutoModerator's `action: approve` behaves inside one rule set: removal rules
are checked first and an approval rule checked after them restores what they removed, so an
approval that fires overrides the removal whatever the priorities (see docs/automod.md for the
translation and docs/rules.md for the general rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from modgate.enforce.rules._schema import Rule

GROUP_PREFIX = "group:"
"""`approves: [group:NAME]` names every rule of exclusive group NAME."""


class _Hit(Protocol):
    @property
    def rule(self) -> Rule: ...


HitT = TypeVar("HitT", bound=_Hit)


def approval_targets(approver: Rule, rule: Rule) -> bool:
    """Whether `approver`'s `approves` names `rule` (by id or by its exclusive group)."""
    for target in approver.approves:
        if target.startswith(GROUP_PREFIX):
            if rule.exclusive_group == target[len(GROUP_PREFIX) :]:
                return True
        elif rule.id == target:
            return True
    return False


def apply_approvals(hits: Sequence[HitT]) -> tuple[list[HitT], dict[str, str]]:
    """Drop the hits that a firing approval rule overrides.

    Args:
        hits: Rules that fired, in rule-set order.

    Returns:
        The hits that still act (approval rules included), and overridden rule id → id of the
        first approval rule (in rule-set order) that overrides it.
    """
    approvers = [hit.rule for hit in hits if hit.rule.approves]
    if not approvers:
        return list(hits), {}
    overridden: dict[str, str] = {}
    for hit in hits:
        for approver in approvers:
            if approver.id != hit.rule.id and approval_targets(approver, hit.rule):
                overridden[hit.rule.id] = approver.id
                break
    return [hit for hit in hits if hit.rule.id not in overridden], overridden
