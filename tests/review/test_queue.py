"""The review queue: routing, priorities, exclusive claims, decisions, undo, context."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.review import (
    QueueKey,
    claim_next,
    decide,
    enqueue,
    exposure_counts,
    list_queues,
    list_tasks,
    record_reveal,
    review_context,
    sync_from_decisions,
    task_priority,
    undo_last,
)
from modgate.store import review_outcomes
from tests.review.conftest import T0, World

NOW = T0 + timedelta(hours=1)


def test_sync_queues_uncertain_errors_and_shadow_disagreements_once(world: World) -> None:
    created = sync_from_decisions(world.store, now=NOW)
    tasks = list_tasks(world.store, now=NOW)
    by_decision = {t.decision_id: t.source for t in tasks}
    expected = {
        d.decision_id: {
            "uncertain": "uncertain",
            "error": "llm_error",
            "shadow": "shadow_disagreement",
        }[d.decision_id.split("-")[0]]
        for d in world.decisions
        if d.decision_id.split("-")[0] in ("uncertain", "error", "shadow")
    }
    assert by_decision == expected
    assert created == len(expected)
    assert sync_from_decisions(world.store, now=NOW) == 0
    assert sync_from_decisions(world.store, since=T0, now=NOW) == 0  # reread, nothing doubled
    assert len(list_tasks(world.store, now=NOW)) == len(expected)


def test_priority_formula_and_queue_order(world: World) -> None:
    # hate_speech is severity high (3): uncertain at 0.6 → 10·3·(2 + 0.8) = 84
    assert task_priority("high", "uncertain", 0.6) == round(10 * 3 * (2 + (1 - abs(0.6 - 0.5) * 2)))
    assert task_priority("low", "monitor_sample", 1.0) == 10
    with pytest.raises(ValidationError, match="unknown source"):
        task_priority("high", "nope", None)
    sync_from_decisions(world.store, now=NOW)
    tasks = list_tasks(world.store, now=NOW)
    keys = [(-t.priority, t.enqueued_at, t.id) for t in tasks]
    assert keys == sorted(keys)
    err = next(t for t in tasks if t.source == "llm_error")
    assert err.priority == task_priority("high", "llm_error", 1.0)


def test_queues_per_policy_and_community(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    summaries = list_queues(world.store, now=NOW)
    tasks = list_tasks(world.store, now=NOW)
    for s in summaries:
        mine = [t for t in tasks if (t.policy, t.community) == (s.key.policy, s.key.community)]
        assert s.open == len(mine) and s.claimed == 0
        assert s.max_priority == max(t.priority for t in mine)
        assert s.oldest_enqueued_at == min(t.enqueued_at for t in mine)
    only = list_queues(world.store, allowed=[QueueKey(policy="other", community=None)], now=NOW)
    assert [(s.key.policy, s.open) for s in only] == [("other", 0)]


def test_claim_is_exclusive_expires_and_returns_the_held_task(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    a = claim_next(world.store, "alice", now=NOW)
    assert a is not None and a.status == "claimed" and a.claimed_by == "alice"
    assert claim_next(world.store, "alice", now=NOW) == a  # held claims come back
    b = claim_next(world.store, "bob", now=NOW)
    assert b is not None and b.id != a.id
    later = NOW + timedelta(minutes=11)  # alice's 10-minute claim lapsed
    stolen = claim_next(world.store, "carol", now=later)
    assert stolen is not None and stolen.id in (a.id, b.id)
    with pytest.raises(ConflictError, match="expired|claimed by"):
        decide(world.store, a.id, "alice", label="violating", now=later)


def test_two_reviewers_racing_never_hold_the_same_task(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    total = len(list_tasks(world.store, status="open", now=NOW))
    got: dict[str, list[int]] = {"r1": [], "r2": []}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        barrier.wait()
        try:
            while True:
                task = claim_next(world.store, name, now=NOW)
                if task is None:
                    return
                got[name].append(task.id)
                decide(world.store, task.id, name, label="violating", now=NOW)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    claimed = got["r1"] + got["r2"]
    assert len(claimed) == len(set(claimed)) == total


def test_decide_feeds_review_outcomes_with_overturns(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    decided = []
    while (task := claim_next(world.store, "alice", now=NOW)) is not None:
        label = "non_violating"
        decided.append((task, decide(world.store, task.id, "alice", label=label, now=NOW)))
    with world.store.connect() as conn:
        rows = list(conn.execute(select(review_outcomes)).mappings())
    assert len(rows) == len(decided)
    for task, review in decided:
        # the acting verdicts: uncertain 0.6 and error 1.0 read violating, shadow's 0.2 not
        assert review.overturned is (task.source != "shadow_disagreement")
        assert review.claimed_at == NOW and review.decided_at == NOW
    assert sum(r["overturned"] for r in rows) == sum(r.overturned for _, r in decided)


def test_decide_refuses_other_reviewers_bad_labels_and_unknown_criteria(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    task = claim_next(world.store, "alice", now=NOW)
    assert task is not None
    with pytest.raises(ConflictError, match="claimed by alice"):
        decide(world.store, task.id, "bob", label="violating", now=NOW)
    with pytest.raises(ValidationError, match="label"):
        decide(world.store, task.id, "alice", label="maybe", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not criteria"):
        decide(world.store, task.id, "alice", label="violating", criteria=["NOPE"], now=NOW)
    decide(world.store, task.id, "alice", label="violating", criteria=["HATE1"], now=NOW)
    with pytest.raises(ConflictError, match="already decided"):
        decide(world.store, task.id, "alice", label="violating", now=NOW)


def test_undo_last_reopens_claimed_and_withdraws_the_outcome(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    task = claim_next(world.store, "alice", now=NOW)
    assert task is not None
    decide(world.store, task.id, "alice", label="non_violating", now=NOW)
    again = undo_last(world.store, "alice", now=NOW + timedelta(seconds=5))
    assert again is not None and again.id == task.id
    assert again.status == "claimed" and again.claimed_by == "alice"
    with world.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(review_outcomes)).scalar_one() == 0
    decide(world.store, task.id, "alice", label="violating", now=NOW + timedelta(seconds=9))
    assert undo_last(world.store, "nobody") is None


def test_context_has_verdicts_policy_parent_and_masked_spans(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    task = next(t for t in list_tasks(world.store, now=NOW) if t.item_id == "i000")
    ctx = review_context(world.store, task.id, now=NOW)
    assert ctx.parent_text == "the parent post"
    assert ctx.policy_title and ("HATE1" in dict(ctx.criteria))
    assert "counter_speech" in dict(ctx.allowed)
    assert [v.enforcer for v in ctx.verdicts] == ["judge@1"]
    assert ctx.verdicts[0].score == 0.6 and ctx.verdicts[0].rationale == "score 0.6"
    text = ctx.item.text
    masked = {text[a:b].lower() for a, b in ctx.sensitive_spans}
    assert masked == {"vermin", "subhumans", "kill  yourself"}


def test_reveals_are_counted_per_reviewer(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    task = list_tasks(world.store, now=NOW)[0]
    record_reveal(world.store, "alice", task.id, now=NOW)
    record_reveal(world.store, "alice", task.id, now=NOW)
    counts = exposure_counts(world.store, "alice")
    assert counts["reveals"] == 2 and counts["policy:hate_speech"] == 2
    assert exposure_counts(world.store, "bob")["reveals"] == 0
    with pytest.raises(NotFoundError):
        record_reveal(world.store, "alice", 999_999, now=NOW)


def test_enqueue_monitor_sample_is_idempotent_and_checks_the_item(world: World) -> None:
    a = enqueue(world.store, item_id="i003", policy="hate_speech@1", community="dogs",
                source="monitor_sample", decision_id="allow-003", now=NOW)  # fmt: skip
    b = enqueue(world.store, item_id="i003", policy="hate_speech", community="dogs",
                source="monitor_sample", decision_id="allow-003", now=NOW)  # fmt: skip
    assert a.id == b.id and a.policy == "hate_speech" and a.source == "monitor_sample"
    with pytest.raises(NotFoundError):
        enqueue(world.store, item_id="nope", policy="p", community=None, source="manual")
    with pytest.raises(ValidationError, match="source"):
        enqueue(world.store, item_id="i003", policy="p", community=None, source="appeal")
