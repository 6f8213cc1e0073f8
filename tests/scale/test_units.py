"""Partitioning, the Parquet exchange and the impact arithmetic, against direct computations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.domain import Action, Effect, Verdict
from modgate.errors import ValidationError
from modgate.scale import (
    launch_impact,
    make_partitions,
    read_verdicts_parquet,
    write_verdicts_parquet,
)


@given(st.lists(st.text(min_size=1, max_size=8)), st.integers(min_value=1, max_value=50))
def test_partitions_cover_each_id_once_in_order(ids: list[str], size: int) -> None:
    parts = make_partitions(ids, size)
    flat = [i for p in parts for i in p.item_ids]
    assert flat == sorted(set(ids))
    assert all(0 < len(p.item_ids) <= size for p in parts)
    assert [p.index for p in parts] == list(range(len(parts)))
    assert make_partitions(list(reversed(ids)), size) == parts  # stable across re-runs


def test_bad_partition_size_is_named() -> None:
    with pytest.raises(ValidationError, match="partition size"):
        make_partitions(["a"], 0)


def test_parquet_round_trip_and_bad_file(tmp_path: Path) -> None:
    verdicts = [
        Verdict(item_id="a", policy="hate@1", enforcer="e@1", score=0.9, label="violating",
                action=Action.REMOVE, criteria=("slur", "threat"), rationale="r", cost=0.1,
                effects=(Effect(kind="comment", text="Removed: {{match}} → x", rule="r1"),
                         Effect(kind="set_flair", target="author", text="f", rule="r1"))),
        Verdict.failed("b", "hate@1", "e@1", "timeout"),
    ]  # fmt: skip
    path = write_verdicts_parquet(verdicts, tmp_path / "p.parquet")
    assert read_verdicts_parquet(path) == verdicts
    assert [p.name for p in tmp_path.iterdir()] == ["p.parquet"]  # no partial file left
    import pyarrow as pa
    import pyarrow.parquet as pq

    without = pq.read_table(path).drop(["effects"])  # another engine's file: no effects column
    pq.write_table(without, tmp_path / "other.parquet")
    assert [v.effects for v in read_verdicts_parquet(tmp_path / "other.parquet")] == [(), ()]
    pq.write_table(pa.table({"item_id": ["a"]}), tmp_path / "bad.parquet")
    with pytest.raises(ValidationError, match="missing policy"):
        read_verdicts_parquet(tmp_path / "bad.parquet")


actions = st.sampled_from([a.value for a in Action])
keys = st.tuples(
    st.sampled_from(["", "cats", "dogs"]), st.sampled_from(["hate@1", "hate@2"]), actions
)


@given(st.dictionaries(keys, st.integers(1, 100)), st.dictionaries(keys, st.integers(1, 100)))
def test_impact_sums_match_a_direct_tally(cand: dict, base: dict) -> None:
    report = launch_impact("c@1", cand, "b@1", base, days=2.0)
    want_review = Counter()
    want_base_review = Counter()
    for (c, _p, a), n in cand.items():
        if a == "review":
            want_review[c] += n
    for (c, _p, a), n in base.items():
        if a == "review":
            want_base_review[c] += n
    got = Counter()
    for row in report.rows:
        assert row.policy == "hate"
        got[row.community] += row.review
        assert row.review_delta == row.review - row.baseline.get("review", 0)
        assert row.review_per_day == pytest.approx(row.review / 2)
    assert +got == +want_review
    assert sum(r.items for r in report.rows) == sum(cand.values())
    assert report.review_per_day() == pytest.approx(sum(want_review.values()) / 2)
    assert [r.review for r in report.rows] == sorted((r.review for r in report.rows), reverse=True)
    assert launch_impact("c@1", cand, None, {}, days=None).review_per_day() is None
