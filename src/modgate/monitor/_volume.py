"""Volume surges per community: an exact conditional test of its share of the traffic (pure).

A community surge (a raid, a viral thread, a bot wave) shows as more items than usual. Raw
counts move with the whole site (a weekday, a launch), so the test asks whether the community's
**share** of the traffic grew. With n_r, n_c items of the community in the reference and current
windows and R, C items of *every other* segment in them (leave-one-out: a surge does not raise
its own baseline), arrivals Poisson with a constant share give, conditionally on n_r + n_c,

    n_c ~ Binomial(n_r + n_c, π),   π = C / (R + C),

the exact test for the ratio of two Poisson rates (Przyborowski & Wilenski 1940). The upward
p-value is P(X ≥ n_c) (`scipy.stats.binom.sf`), two-sided 2·min(lower, upper). It is exact, so
conservative on discrete counts; Benjamini–Hochberg (after Tarone's rule) controls the false
discovery rate across thousands of communities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray


def volume_surge_p_values(
    n_reference: ArrayLike,
    n_current: ArrayLike,
    *,
    direction: Literal["up", "down", "both"] = "up",
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Exact conditional p-values of each segment's share of the traffic, and its share ratio.

    Args:
        n_reference: Items per segment in the reference window.
        n_current: Items per segment in the current window.
        direction: `up` (surges), `down` (a community gone quiet) or `both`.

    Returns:
        (p-values, π per segment, share ratio (n_c / C) / (n_r / R); inf when n_r = 0).

    Raises:
        ValueError: Arrays of different lengths or negative counts.
    """
    from scipy import stats

    nr = np.asarray(n_reference, dtype=np.int64)
    nc = np.asarray(n_current, dtype=np.int64)
    if nr.shape != nc.shape or nr.ndim != 1:
        raise ValueError("n_reference and n_current must be 1-d arrays of one length")
    if (nr < 0).any() or (nc < 0).any():
        raise ValueError("counts must be non-negative")
    others_r = nr.sum() - nr
    others_c = nc.sum() - nc
    total = others_r + others_c
    pi = np.where(total > 0, others_c / np.maximum(total, 1), 0.5)
    m = nr + nc
    upper = stats.binom.sf(nc - 1, m, pi)
    lower = stats.binom.cdf(nc, m, pi)
    if direction == "up":
        p = upper
    elif direction == "down":
        p = lower
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    p = np.where((m == 0) | (total == 0), 1.0, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            nr > 0,
            (nc / np.maximum(others_c, 1)) / (nr / np.maximum(others_r, 1)),
            np.inf,
        )
    return p.astype(float), pi.astype(float), ratio.astype(float)


def volume_minimum_p_values(
    n_reference: ArrayLike, n_current: ArrayLike, direction: Literal["up", "down", "both"] = "up"
) -> NDArray[np.float64]:
    """Smallest p-value each segment's test could reach given n_r + n_c (Tarone's rule).

    The upward p-value is smallest when every one of the n_r + n_c items falls in the current
    window: π^(n_r + n_c); downward (1 − π)^(n_r + n_c).
    """
    nr = np.asarray(n_reference, dtype=np.int64)
    nc = np.asarray(n_current, dtype=np.int64)
    others_r, others_c = nr.sum() - nr, nc.sum() - nc
    total = others_r + others_c
    pi = np.where(total > 0, others_c / np.maximum(total, 1), 0.5)
    m = nr + nc
    up, down = pi**m, (1 - pi) ** m
    if direction == "up":
        out = up
    elif direction == "down":
        out = down
    else:
        out = np.minimum(1.0, 2.0 * np.minimum(up, down))
    return np.asarray(np.where(m == 0, 1.0, out), dtype=float)
