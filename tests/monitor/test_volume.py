"""Volume surges: the exact conditional Poisson test against scipy, false alarms, detection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from modgate.monitor import SegmentCounts, VolumeSurgeCheck, volume_surge_p_values


def test_p_values_equal_scipy_binomtest_with_leave_one_out_share() -> None:
    nr = np.array([140, 30, 5, 2000, 0])
    nc = np.array([40, 25, 1, 150, 3])
    for direction, alternative in (("up", "greater"), ("down", "less")):
        p, pi, ratio = volume_surge_p_values(nr, nc, direction=direction)
        for i in range(len(nr)):
            others_r, others_c = nr.sum() - nr[i], nc.sum() - nc[i]
            share = others_c / (others_r + others_c)
            assert pi[i] == pytest.approx(share)
            want = stats.binomtest(int(nc[i]), int(nr[i] + nc[i]), share, alternative=alternative)
            assert p[i] == pytest.approx(want.pvalue, rel=1e-9)
            if nr[i]:
                assert ratio[i] == pytest.approx((nc[i] / others_c) / (nr[i] / others_r))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=2, max_size=30))
def test_p_values_are_probabilities_and_two_sided_is_the_smaller_tail_doubled(
    pairs: list[tuple[int, int]],
) -> None:
    nr, nc = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    up, _, _ = volume_surge_p_values(nr, nc, direction="up")
    down, _, _ = volume_surge_p_values(nr, nc, direction="down")
    both, _, _ = volume_surge_p_values(nr, nc, direction="both")
    assert ((up >= 0) & (up <= 1) & (down >= 0) & (down <= 1)).all()
    assert np.allclose(both, np.minimum(1.0, 2 * np.minimum(up, down)))


def _window(rng: np.random.Generator, rates: np.ndarray, days: float) -> np.ndarray:
    return rng.poisson(rates * days)


def test_stationary_false_alarm_rate_over_1000_windows_is_at_most_the_level() -> None:
    # SIMULATED: 300 Zipf-sized communities, a 14-day reference, a 1-day current window, and a
    # site-wide volume that changes from window to window (the share test must not care)
    rng = np.random.default_rng(3)
    rates = 2000 / np.arange(1, 301) ** 1.1
    names = [f"c{i}" for i in range(300)]
    check = VolumeSurgeCheck(level=0.01, min_support=5)
    alarms = 0
    for _ in range(1000):
        site = rng.uniform(0.7, 1.4)
        ref = SegmentCounts(segments=names, k=[0] * 300, n=_window(rng, rates, 14).tolist())
        cur = SegmentCounts(segments=names, k=[0] * 300, n=_window(rng, rates * site, 1).tolist())
        alarms += any(r.fired for r in check.evaluate(ref, cur))
    assert alarms / 1000 <= 0.01


def test_a_surge_in_a_small_community_is_found_and_only_there() -> None:
    rng = np.random.default_rng(4)
    rates = 2000 / np.arange(1, 301) ** 1.1
    names = [f"c{i}" for i in range(300)]
    cur_n = _window(rng, rates, 1)
    cur_n[120] += 60  # about 9 items a day usually
    ref = SegmentCounts(segments=names, k=[0] * 300, n=_window(rng, rates, 14).tolist())
    cur = SegmentCounts(segments=names, k=[0] * 300, n=cur_n.tolist())
    fired = [r.segment for r in VolumeSurgeCheck(level=0.01).evaluate(ref, cur) if r.fired]
    assert fired == ["c120"]
