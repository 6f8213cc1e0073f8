"""Approval rules: a firing rule with `approves` overrides the hits of the rules it names.

Pure. This is how AutoModerator's `action: approve` behaves inside one rule set: removal rules
are checked first and an approval rule checked after them restores what they removed, so an
approval that fires overrides the removal whatever the priorities; approving also clears the
item's reports, so rules after the approval that count reports no longer hold (see
docs/automod.md for the translation and docs/rules.md for the general rule).
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


def approval_targets(approver: Rule, rule: Rule, names: tuple[str, ...] | None = None) -> bool:
    """Whether `approver`'s `approves` (or `names`) names `rule` (by id or exclusive group)."""
    for target in approver.approves if names is None else names:
        if target.startswith(GROUP_PREFIX):
            if rule.exclusive_group == target[len(GROUP_PREFIX) :]:
                return True
        elif rule.id == target:
            return True
    return False


def active_approvers(hits: Sequence[HitT]) -> list[Rule]:
    """The approval rule that approves the item (a list of one, or empty).

    The first (in rule-set order) that fired with its `approval_needs` met (one of them fired
    too). Once it approved, the item is neither removed nor reported, so no later approval has
    anything to approve.
    """
    rules = [hit.rule for hit in hits]
    for approver in rules:
        if approver.approves and (
            not approver.approval_needs
            or any(
                other.id != approver.id
                and approval_targets(approver, other, approver.approval_needs)
                for other in rules
            )
        ):
            return [approver]
    return []


def apply_approvals(hits: Sequence[HitT]) -> tuple[list[HitT], dict[str, str]]:
    """Drop the hits that a firing, active approval rule overrides.

    Args:
        hits: Rules that fired, in rule-set order.

    Returns:
        The hits that still act (approval rules included), and overridden rule id → id of the
        first approval rule (in rule-set order) that overrides it.
    """
    approvers = active_approvers(hits)
    if not approvers:
        return list(hits), {}
    (approver,) = approvers
    overridden: dict[str, str] = {}
    cleared: set[str] = set()
    after = False
    for hit in hits:
        if hit.rule.id == approver.id:
            after = True
        elif approval_targets(approver, hit.rule):
            overridden[hit.rule.id] = approver.id
        elif after and hit.rule.reports is not None:
            cleared.add(hit.rule.id)  # approving cleared the reports this rule counts
    kept = [hit for hit in hits if hit.rule.id not in overridden and hit.rule.id not in cleared]
    return kept, overridden
