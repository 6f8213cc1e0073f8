"""Appeals against removals: open, re-review by someone else, outcome, golden candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from modgate.domain import VersionRef
from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.review import _repo
from modgate.review._policies import PolicyCache
from modgate.review._priority import task_priority
from modgate.review._queue import (
    _check_claim,
    _now,
    _reviewer,
    _task_values,
    first_review_of,
    write_to_golden,
)
from modgate.review._schema import Appeal, AppealOutcome, ReviewDecision, ReviewLabel, ReviewTask
from modgate.store import Store, record_audit_event

_MAX_STATEMENT = 10_000


def open_appeal(
    store: Store,
    decision_id: str,
    *,
    appellant: str | None = None,
    statement: str,
    now: datetime | None = None,
) -> Appeal:
    """Appeal a removal: the appeal is recorded and queued for someone other than its reviewer.

    A decision can be appealed when its action was remove and no review has overturned it,
    or when a reviewer removed the item. One appeal per decision may be open at a time.

    Raises:
        NotFoundError: No such decision.
        ValidationError: The decision is not a removal, or the statement is empty or too long.
        ConflictError: The decision already has an open appeal.
    """
    at = _now(now)
    text = (statement or "").strip()
    if not text:
        raise ValidationError("statement must say why the removal is wrong (it is empty)")
    if len(text) > _MAX_STATEMENT:
        raise ValidationError(f"statement is {len(text)} characters; the limit is {_MAX_STATEMENT}")
    with store.connect() as conn:
        decision = _repo.get_decision(conn, decision_id)
        if decision is None:
            raise NotFoundError(f"no decision {decision_id!r}")
        first = first_review_of(conn, decision_id)
        communities = _repo.item_communities(conn, [decision.item_id])
    if first is not None:
        removed = first.label == "violating"
        with store.connect() as conn:
            row = _repo.task_row(conn, first.task_id)
        policy = row["policy"] if row else None
    else:
        removed = decision.action.value == "remove"
        policy = next(
            (VersionRef.name_of(r.policy) for r in decision.reasons if r.action.value == "remove"),
            None,
        )
    if not removed or policy is None:
        state = "overturned on review" if first is not None else f"action {decision.action.value}"
        raise ValidationError(
            f"decision {decision_id!r} is not a removal ({state}); only removals can be appealed"
        )
    cache = PolicyCache(store)
    with store.begin() as conn:
        appeal_id = _repo.insert_appeal(
            conn,
            {
                "decision_id": decision_id,
                "item_id": decision.item_id,
                "policy": policy,
                "appellant": appellant,
                "statement": text,
                "opened_at": at,
                "status": "open",
                "first_reviewer": None if first is None else first.reviewer,
                "first_label": "violating",
                "open_key": decision_id,
            },
        )
        if appeal_id is None:
            raise ConflictError(f"decision {decision_id!r} already has an open appeal")
        _repo.insert_task(
            conn,
            _task_values(
                dedup_key=f"appeal:{appeal_id}",
                item_id=decision.item_id,
                decision_id=decision_id,
                policy=policy,
                community=communities.get(decision.item_id),
                source="appeal",
                priority=task_priority(cache.severity(policy), "appeal", None),
                now=at,
                details={"appellant": appellant},
                appeal_id=appeal_id,
                excluded_reviewer=None if first is None else first.reviewer,
            ),
        )
        record_audit_event(
            conn,
            actor=appellant or "appellant",
            action="appeal.open",
            object_type="decision",
            object_id=decision_id,
            details={"appeal_id": appeal_id},
        )
        row = _repo.appeal_row(conn, appeal_id)
    assert row is not None
    return _repo.row_to_appeal(row)


def get_appeal(store: Store, appeal_id: int) -> Appeal:
    """One appeal.

    Raises:
        NotFoundError: No such appeal.
    """
    with store.connect() as conn:
        row = _repo.appeal_row(conn, appeal_id)
    if row is None:
        raise NotFoundError(f"no appeal {appeal_id}")
    return _repo.row_to_appeal(row)


def list_appeals(store: Store, *, status: str | None = None, limit: int = 100) -> list[Appeal]:
    """Appeals, newest first.

    Raises:
        ValidationError: A status other than open, upheld, overturned, or a limit below 1.
    """
    if status is not None and status not in ("open", "upheld", "overturned"):
        raise ValidationError(f"status {status!r} is not one of open, upheld, overturned")
    if limit < 1:
        raise ValidationError("limit must be at least 1")
    with store.connect() as conn:
        return [
            _repo.row_to_appeal(r) for r in _repo.list_appeal_rows(conn, status=status, limit=limit)
        ]


def _decide(
    store: Store,
    appeal_id: int,
    reviewer: str,
    *,
    outcome: AppealOutcome,
    criteria: Sequence[str],
    note: str | None,
    at: datetime,
    require_claim: bool,
) -> tuple[Appeal, int]:
    if outcome not in ("upheld", "overturned"):
        raise ValidationError(f"outcome {outcome!r} is not one of upheld, overturned")
    config = _repo.load_config(store)
    with store.begin() as conn:
        row = _repo.appeal_row(conn, appeal_id, for_update=True)
        if row is None:
            raise NotFoundError(f"no appeal {appeal_id}")
        if row["status"] != "open":
            raise ConflictError(f"appeal {appeal_id} is already {row['status']}")
        if row["first_reviewer"] == reviewer:
            raise ConflictError(
                f"{reviewer} reviewed the appealed decision; someone else must decide appeal "
                f"{appeal_id}"
            )
        task_row = _repo.tasks_of_appeal(conn, appeal_id)
        if task_row is None:
            raise NotFoundError(f"appeal {appeal_id} has no review task")
        task = _repo.row_to_task(task_row, at)
        if require_claim:
            _check_claim(task, reviewer, at)
        elif task.status == "claimed" and task.claimed_by != reviewer:
            raise ConflictError(f"appeal {appeal_id} is being reviewed by {task.claimed_by}")
        label = "violating" if outcome == "upheld" else "non_violating"
        action = "remove" if outcome == "upheld" else "allow"
        overturned = outcome == "overturned"
        _repo.close_appeal(
            conn, appeal_id, status=outcome, decided_by=reviewer, decided_at=at, note=note
        )
        outcome_id = _repo.insert_outcome(
            conn,
            {
                "item_id": row["item_id"],
                "decision_id": row["decision_id"],
                "policy": row["policy"],
                "community": task.community,
                "source": "appeal",
                "original_action": "remove",
                "final_action": action,
                "overturned": overturned,
                "reviewed_at": at,
            },
        )
        claimed_at = task.claimed_at if task.claimed_by == reviewer and task.claimed_at else at
        review_id = _repo.insert_review_decision(
            conn,
            {
                "task_id": task.id,
                "reviewer": reviewer,
                "item_id": row["item_id"],
                "decision_id": row["decision_id"],
                "policy": row["policy"],
                "label": label,
                "action": action,
                "original_action": "remove",
                "automated_label": row["first_label"],
                "criteria": list(criteria),
                "note": note,
                "claimed_at": claimed_at,
                "decided_at": at,
                "overturned": overturned,
                "outcome_id": outcome_id,
            },
        )
        _repo.set_task_status(
            conn, task.id, status="decided", claimed_by=reviewer, claimed_at=claimed_at
        )
        record_audit_event(
            conn,
            actor=reviewer,
            action="appeal.decide",
            object_type="appeal",
            object_id=str(appeal_id),
            details={"outcome": outcome, "decision_id": row["decision_id"]},
        )
        decided = _repo.appeal_row(conn, appeal_id)
        decision = _repo.get_decision(conn, row["decision_id"])
    assert decided is not None
    if overturned:
        first = row["first_reviewer"]
        if first is None:
            enforcer = (
                next(
                    (r.enforcer for r in decision.reasons if r.action.value == "remove"),
                    "automated",
                )
                if decision is not None
                else "automated"
            )
            first = f"automated:{enforcer}"
        _candidate(store, config.appeals_golden_set, row, first, reviewer, note, review_id)
    return _repo.row_to_appeal(decided), review_id


def _candidate(
    store: Store,
    golden_set: str,
    appeal: dict[str, Any],
    first: str,
    reviewer: str,
    note: str | None,
    review_id: int,
) -> None:
    """The overturned item as a golden candidate carrying both labels (for adjudication)."""
    from modgate.golden import GoldenItem

    item = GoldenItem(
        item_id=appeal["item_id"],
        policy=appeal["policy"],
        tags=("appeal", "overturned"),
        source=f"appeal:{appeal['id']}",
    )
    labels = [
        (str(appeal["first_label"]), first, "the appealed decision"),
        ("non_violating", reviewer, note or f"appeal {appeal['id']} overturned"),
    ]
    write_to_golden(
        store, golden_set, item, labels,
        reviewer=reviewer, review_id=review_id, what=f"appeal {appeal['id']}",
    )  # fmt: skip


def decide_appeal(
    store: Store,
    appeal_id: int,
    reviewer: str,
    *,
    outcome: AppealOutcome,
    note: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Decide an appeal: upheld (the removal stands) or overturned (the item is restored).

    The outcome goes to `review_outcomes` (source `appeal`), which the overturn monitors read;
    an overturned appeal adds the item to the appeals golden set with both labels (the
    appealed one and the appeal reviewer's), so it waits in that set's adjudication queue.

    Raises:
        NotFoundError: No such appeal.
        ConflictError: `reviewer` reviewed the appealed decision, the appeal is decided
            already, or another reviewer holds its task.
        ValidationError: An outcome other than upheld / overturned.
    """
    name = _reviewer(reviewer)
    appeal, _ = _decide(
        store, appeal_id, name, outcome=outcome, criteria=(), note=note, at=_now(now),
        require_claim=False,
    )  # fmt: skip
    return appeal


def decide_appeal_task(
    store: Store,
    task: ReviewTask,
    reviewer: str,
    *,
    label: ReviewLabel,
    criteria: Sequence[str],
    note: str | None,
    now: datetime,
) -> ReviewDecision:
    """An appeal's queue task decided through `decide` (the reviewer must hold the claim)."""
    assert task.appeal_id is not None
    outcome: AppealOutcome = "upheld" if label == "violating" else "overturned"
    _, review_id = _decide(
        store, task.appeal_id, reviewer, outcome=outcome, criteria=tuple(criteria), note=note,
        at=now, require_claim=True,
    )  # fmt: skip
    with store.connect() as conn:
        row = _repo.get_review_decision(conn, review_id)
    assert row is not None
    return _repo.row_to_decision(row)


def reopen_appeal(conn: Any, appeal_id: int) -> None:
    """Undo an appeal's outcome (its review decision was undone) in the caller's transaction.

    Raises:
        ConflictError: The decision has another open appeal by now.
    """
    row = _repo.appeal_row(conn, appeal_id)
    if row is None or row["status"] == "open":
        return
    if not _repo.reopen_appeal_row(conn, appeal_id, row["decision_id"]):
        raise ConflictError(
            f"decision {row['decision_id']!r} has a newer open appeal; appeal {appeal_id} "
            "cannot be reopened"
        )
