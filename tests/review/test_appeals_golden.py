"""Appeals and golden annotations: other reviewer, outcomes, monitors, candidates, sampling."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from scipy.stats import binomtest

from modgate.errors import ConflictError, ValidationError
from modgate.golden import adjudication_queue, show_golden_set
from modgate.monitor._repo import WindowQuery, fetch_rates
from modgate.review import (
    ReviewConfig,
    claim_next,
    configure_review,
    decide,
    decide_appeal,
    is_sampled,
    list_appeals,
    open_appeal,
    review_context,
    sync_from_decisions,
    undo_last,
)
from modgate.store import Store
from tests.review.conftest import T0, World, build_world

NOW = T0 + timedelta(hours=1)


def _review_all(world: World, reviewer: str, label: str = "violating") -> list[int]:
    sync_from_decisions(world.store, now=NOW)
    done = []
    while (task := claim_next(world.store, reviewer, now=NOW)) is not None:
        decide(world.store, task.id, reviewer, label=label, now=NOW)  # type: ignore[arg-type]
        done.append(task.id)
    return done


def test_only_removals_can_be_appealed(world: World) -> None:
    with pytest.raises(ValidationError, match="not a removal"):
        open_appeal(world.store, world.decision("allow").decision_id, statement="why")
    with pytest.raises(ValidationError, match="empty"):
        open_appeal(world.store, world.decision("remove").decision_id, statement="  ")
    appeal = open_appeal(world.store, world.decision("remove").decision_id, statement="satire")
    assert appeal.status == "open" and appeal.first_reviewer is None
    with pytest.raises(ConflictError, match="already has an open appeal"):
        open_appeal(world.store, world.decision("remove").decision_id, statement="again")


def test_appeal_is_refused_for_the_first_reviewer_and_goes_to_another(world: World) -> None:
    _review_all(world, "alice", "violating")  # alice removes the uncertain item
    uncertain = world.decision("uncertain").decision_id
    appeal = open_appeal(world.store, uncertain, appellant="u1", statement="it is news", now=NOW)
    assert appeal.first_reviewer == "alice"
    assert claim_next(world.store, "alice", now=NOW) is None  # not offered to alice
    with pytest.raises(ConflictError, match="someone else"):
        decide_appeal(world.store, appeal.id, "alice", outcome="overturned", now=NOW)
    task = claim_next(world.store, "bob", now=NOW)
    assert task is not None and task.source == "appeal" and task.appeal_id == appeal.id
    ctx = review_context(world.store, task.id, now=NOW)
    assert ctx.first_review is not None and ctx.first_review.reviewer == "alice"
    review = decide(world.store, task.id, "bob", label="non_violating", now=NOW)
    assert review.overturned
    (decided,) = list_appeals(world.store)
    assert decided.status == "overturned" and decided.decided_by == "bob"


def test_overturned_appeal_feeds_the_overturn_monitor_and_a_golden_candidate(world: World) -> None:
    removed = world.decision("remove")
    appeal = open_appeal(world.store, removed.decision_id, statement="quote", now=NOW)
    decide_appeal(world.store, appeal.id, "bob", outcome="overturned", now=NOW)
    window = WindowQuery(start=T0, end=NOW + timedelta(minutes=1), policy="hate_speech")
    segments, events, observations, _sql = fetch_rates(world.store, window, measure="overturn")
    item_community = next(i.community for i in world.items if i.id == removed.item_id)
    assert segments == [item_community] and events == [1] and observations == [1]
    (entry,) = adjudication_queue(world.store, "appeals")
    assert entry.item_id == removed.item_id
    assert entry.votes == {"non_violating": 1, "violating": 1}


def test_upheld_appeal_is_an_outcome_without_overturn(world: World) -> None:
    appeal = open_appeal(world.store, world.decision("remove").decision_id, statement="x")
    decided = decide_appeal(world.store, appeal.id, "bob", outcome="upheld", now=NOW)
    assert decided.status == "upheld"
    window = WindowQuery(start=T0, end=NOW + timedelta(minutes=1), by_community=False)
    _, events, observations, _ = fetch_rates(world.store, window, measure="overturn")
    assert (events, observations) == ([0], [1])
    with pytest.raises(ConflictError, match="already upheld"):
        decide_appeal(world.store, appeal.id, "carol", outcome="overturned", now=NOW)


def test_review_decisions_become_annotations_per_reviewer(world: World) -> None:
    done = _review_all(world, "alice", "violating")
    detail = show_golden_set(world.store, "review")
    assert detail.set.items == len(done) and detail.annotators == 1
    undo_last(world.store, "alice", now=NOW)
    assert show_golden_set(world.store, "review").annotations == len(done) - 1


def test_sampling_rate_is_honoured_and_deterministic(store: Store) -> None:
    ids = [f"item-{i}" for i in range(4000)]
    picked = [i for i in ids if is_sampled("s", i, "hate_speech", 0.25)]
    assert binomtest(len(picked), len(ids), 0.25).pvalue > 0.001
    assert picked == [i for i in ids if is_sampled("s", i, "hate_speech", 0.25)]
    other = [i for i in ids if is_sampled("t", i, "hate_speech", 0.25)]
    assert other != picked
    assert all(is_sampled("s", i, "p", 1.0) for i in ids[:50])
    assert not any(is_sampled("s", i, "p", 0.0) for i in ids[:50])


def test_configured_rate_limits_annotations(world: World) -> None:
    configure_review(world.store, ReviewConfig(sample_rate=0.0), actor="admin")
    _review_all(world, "alice")
    from modgate.golden import list_golden_sets

    assert [s.name for s in list_golden_sets(world.store)] == []


def test_the_overturn_monitor_fires_on_review_decisions(store: Store, tmp_path: Path) -> None:
    from modgate.monitor import MonitorConfig, run_monitor

    world = build_world(store, tmp_path, n=60)
    at = T0 + timedelta(days=20)
    sync_from_decisions(store, now=T0)
    automated = {"shadow_disagreement": "non_violating"}
    flip = {"violating": "non_violating", "non_violating": "violating"}
    for n in range(36):
        when = T0 + timedelta(days=5) if n < 18 else at - timedelta(hours=2)
        task = claim_next(store, "alice", now=when)
        assert task is not None
        label = automated.get(task.source, "violating")
        decide(store, task.id, "alice", label=label if n < 18 else flip[label], now=when)  # type: ignore[arg-type]
    config = MonitorConfig.model_validate(
        {
            "name": "overturns",
            "scope": {"policy": "hate_speech", "segment_by": "none"},
            "windows": {"current": "24h", "reference": "19d"},
            "checks": [{"kind": "overturn_rate", "params": {"min_support": 10, "direction": "up"}}],
        }
    )
    report = run_monitor(store, config, at=at)
    assert [r.check for r in report.fired] == ["overturn_rate"]
    assert world.store is store


def test_a_failed_golden_write_warns_and_keeps_the_review_and_the_appeal(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modgate.golden
    from modgate.review import ReviewGoldenWarning, _repo

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValidationError("annotations are closed")

    monkeypatch.setattr(modgate.golden, "add_annotation", refuse)
    removed = world.decision("remove")
    appeal = open_appeal(world.store, removed.decision_id, statement="quote", now=NOW)
    with pytest.warns(ReviewGoldenWarning, match=rf"appeal {appeal.id} .*annotations are closed"):
        decide_appeal(world.store, appeal.id, "bob", outcome="overturned", now=NOW)
    (decided,) = list_appeals(world.store)
    assert decided.status == "overturned"
    assert adjudication_queue(world.store, "appeals") == []
    sync_from_decisions(world.store, now=NOW)
    task = claim_next(world.store, "carol", now=NOW)
    assert task is not None
    with pytest.warns(ReviewGoldenWarning, match=r"review \d+ was recorded"):
        review = decide(world.store, task.id, "carol", label="violating", now=NOW)
    with world.store.begin() as conn:
        row = _repo.get_review_decision(conn, review.id)
    assert row is not None and row["label"] == "violating" and row["golden_set"] is None
