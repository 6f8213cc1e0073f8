"""Score + thresholds (+ community override) → action. Pure."""

from __future__ import annotations

from modgate.domain import Action
from modgate.enforce._protocol import ActionThresholds, EnforcerThresholds

_ORDER = (Action.REMOVE, Action.REVIEW, Action.WARN, Action.LABEL)


def action_for_score(
    score: float, thresholds: EnforcerThresholds, community: str | None = None
) -> Action:
    """The most severe action whose threshold `score` reaches.

    Args:
        score: Violation score in [0, 1].
        thresholds: The enforcer's thresholds.
        community: The item's community; its override, if any, replaces the defaults.

    Returns:
        The action, `allow` when no threshold is reached.
    """
    chosen: ActionThresholds = thresholds
    if community is not None and community in thresholds.communities:
        chosen = thresholds.communities[community]
    for action in _ORDER:
        limit = getattr(chosen, action.value)
        if limit is not None and score >= limit:
            return action
    return Action.ALLOW
