"""Disagreement between the active enforcer and a shadow or canary on the same items (pure).

Both decide every item of the window; the check counts items where one flags (any action but
`allow`) and the other does not. The exact McNemar test (`scipy.stats.binomtest` on the two kinds
of discordant pairs) says whether the challenger flags systematically more or less than the
active one; the change of the disagreement rate against the reference window uses the rate test.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict


class DisagreementResult(BaseModel):
    """Paired comparison of the flags of two enforcers on one set of items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int
    """Items both decided."""
    only_active: int
    """Items the active enforcer flagged and the challenger did not."""
    only_challenger: int
    """Items the challenger flagged and the active enforcer did not."""
    rate: float
    """(only_active + only_challenger) / n (NaN when n = 0)."""
    mcnemar_p_value: float
    """Exact two-sided McNemar p-value (1.0 without discordant pairs)."""


def disagreement_from_counts(n: int, only_active: int, only_challenger: int) -> DisagreementResult:
    """Disagreement figures from counts (what the SQL aggregation returns)."""
    from scipy import stats

    if min(n, only_active, only_challenger) < 0 or only_active + only_challenger > n:
        raise ValueError("disagreement counts must be non-negative and at most n")
    discordant = only_active + only_challenger
    p = 1.0 if discordant == 0 else float(stats.binomtest(only_challenger, discordant).pvalue)
    return DisagreementResult(
        n=n,
        only_active=only_active,
        only_challenger=only_challenger,
        rate=discordant / n if n else math.nan,
        mcnemar_p_value=p,
    )


def disagreement(active_flags: ArrayLike, challenger_flags: ArrayLike) -> DisagreementResult:
    """Disagreement between two aligned boolean flag arrays (True = actioned)."""
    a = np.asarray(active_flags, dtype=bool)
    c = np.asarray(challenger_flags, dtype=bool)
    if a.shape != c.shape or a.ndim != 1:
        raise ValueError("flag arrays must be 1-d and aligned")
    return disagreement_from_counts(int(a.size), int((a & ~c).sum()), int((c & ~a).sum()))
