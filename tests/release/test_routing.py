from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.release import canary_bucket, routes_to_canary

IDS = [f"t3_{i:x}" for i in range(100_000)]


@settings(max_examples=8)
@given(salt=st.text(min_size=1, max_size=30), share=st.floats(min_value=0.001, max_value=0.999))
def test_share_holds_within_one_point_on_100k_ids(salt: str, share: float) -> None:
    routed = sum(routes_to_canary(i, salt, share) for i in IDS)
    assert abs(routed / len(IDS) - share) <= 0.01


@given(
    item_id=st.text(min_size=1, max_size=60),
    salt=st.text(min_size=1, max_size=30),
    share=st.floats(min_value=0.0, max_value=1.0),
)
def test_same_item_always_lands_on_the_same_arm(item_id: str, salt: str, share: float) -> None:
    first = routes_to_canary(item_id, salt, share)
    assert all(routes_to_canary(item_id, salt, share) is first for _ in range(3))
    assert 0.0 <= canary_bucket(item_id, salt) < 1.0


@given(
    item_id=st.text(min_size=1, max_size=60),
    salt=st.text(min_size=1, max_size=30),
    low=st.floats(min_value=0.0, max_value=1.0),
    high=st.floats(min_value=0.0, max_value=1.0),
)
def test_raising_the_share_keeps_every_canary_item_on_the_canary(
    item_id: str, salt: str, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    if routes_to_canary(item_id, salt, low):
        assert routes_to_canary(item_id, salt, high)


def test_another_salt_routes_other_items() -> None:
    a = {i for i in IDS[:20_000] if routes_to_canary(i, "dep-hate-3", 0.1)}
    b = {i for i in IDS[:20_000] if routes_to_canary(i, "dep-hate-7", 0.1)}
    # independent 10% samples overlap on about 1% of ids, far from identical
    assert len(a & b) < 0.3 * len(a)
