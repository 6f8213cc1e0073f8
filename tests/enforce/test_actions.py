from __future__ import annotations

import pytest

from modgate.domain import Action
from modgate.enforce import ActionThresholds, EnforcerThresholds, action_for_score

THRESHOLDS = EnforcerThresholds(
    remove=0.9, review=0.6, label=0.3,
    communities={"strict": ActionThresholds(remove=0.5, review=0.2)},
)  # fmt: skip


@pytest.mark.parametrize(
    ("score", "community", "expected"),
    [
        (0.95, None, Action.REMOVE),
        (0.9, None, Action.REMOVE),
        (0.7, None, Action.REVIEW),
        (0.4, None, Action.LABEL),
        (0.1, None, Action.ALLOW),
        (0.6, "strict", Action.REMOVE),
        (0.3, "strict", Action.REVIEW),
        (0.1, "strict", Action.ALLOW),
        (0.7, "other", Action.REVIEW),
    ],
)
def test_most_severe_reached_threshold_wins(
    score: float, community: str | None, expected: Action
) -> None:
    assert action_for_score(score, THRESHOLDS, community) is expected
