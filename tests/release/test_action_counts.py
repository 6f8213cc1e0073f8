"""Decisions per (bucket, policy, arm, action), counted in SQL, against a count in Python."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from modgate.errors import ValidationError
from modgate.release import ArmRecord, action_counts
from modgate.release._repo import write_decision_arms
from modgate.store import Store
from modgate.ui import action_rates

START = datetime(2026, 11, 1, tzinfo=UTC)


def _arms(n: int) -> list[ArmRecord]:
    rng = random.Random(7)
    out = []
    for k in range(n):
        action = rng.choice(["allow", "remove", "review"])
        out.append(
            ArmRecord(
                decision_id=f"d{k}",
                deployment_id="dep",
                policy=rng.choice(["hate", "spam"]),
                arm=rng.choice(["active", "canary"]),
                enforcer="e@1",
                action=action,
                final_action=action,
                item_id=f"i{k}",
                community=None,
                decided_at=START + timedelta(minutes=rng.randrange(0, 4 * 24 * 60)),
            )
        )
    return out


@pytest.mark.parametrize("bucket", ["hour", "day"])
def test_counts_per_bucket_match_a_direct_count(store: Store, bucket: str) -> None:
    arms = _arms(400)
    with store.begin() as conn:
        write_decision_arms(conn, arms)
    start, end = START + timedelta(hours=5), START + timedelta(days=3)

    def key(t: datetime) -> datetime:
        return (
            t.replace(minute=0, second=0, microsecond=0)
            if bucket == "hour"
            else t.replace(hour=0, minute=0, second=0, microsecond=0)
        )

    expected = Counter(
        (key(a.decided_at), a.policy, a.arm, a.action) for a in arms if start <= a.decided_at < end
    )
    found = action_counts(store, start=start, end=end, bucket=bucket)
    assert {(c.bucket, c.policy, c.arm, c.action): c.count for c in found} == dict(expected)
    rates = action_rates(found)
    totals = Counter()
    for (b, p, arm, _), n in expected.items():
        totals[(b, p, arm)] += n
    for r in rates:
        b = datetime.fromisoformat(r["bucket"])
        assert r["rate"] == pytest.approx(r["count"] / totals[(b, r["policy"], r["arm"])])


def test_a_bad_bucket_or_window_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="bucket"):
        action_counts(store, start=START, end=START, bucket="week")
    with pytest.raises(ValidationError, match="ends before"):
        action_counts(store, start=START, end=START - timedelta(days=1))
