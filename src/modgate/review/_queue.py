"""The review queue: routing decisions in, claiming, deciding, undoing, and the reviewer's view."""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from modgate.domain import Decision, VersionRef
from modgate.errors import (
    ConflictError,
    ModgateError,
    ModgateWarning,
    NotFoundError,
    ValidationError,
)
from modgate.review import _repo
from modgate.review._policies import PolicyCache, regex_spans, sensitive_terms
from modgate.review._priority import task_priority
from modgate.review._sampling import is_sampled
from modgate.review._schema import (
    TASK_SOURCES,
    QueueKey,
    QueueSummary,
    ReviewConfig,
    ReviewContext,
    ReviewDecision,
    ReviewLabel,
    ReviewTask,
    VerdictView,
)
from modgate.review._sensitive import find_sensitive_spans
from modgate.store import Store, record_audit_event

DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=10)
_SYNC_BATCH = 500
_ROUTED = ("uncertain", "llm_error", "shadow_disagreement")
_LABELS = ("violating", "non_violating")


class ReviewGoldenWarning(ModgateWarning):
    """A review decision was recorded but could not be written to its golden set."""


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValidationError("now must be timezone-aware (UTC)")
    return now.astimezone(UTC)


def _reviewer(reviewer: str) -> str:
    name = reviewer.strip() if isinstance(reviewer, str) else ""
    if not name or len(name) > 256:
        raise ValidationError("reviewer must be a non-empty name of at most 256 characters")
    return name


def configure_review(store: Store, config: ReviewConfig, *, actor: str) -> ReviewConfig:
    """Store the review settings (golden set, sampling rates, claim timeout); audited."""
    now = datetime.now(UTC)
    _repo.save_config(store, config, now=now)
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action="review.configure",
            object_type="review",
            object_id="config",
            details=config.model_dump(mode="json"),
        )
    return config


def review_config(store: Store) -> ReviewConfig:
    """The review settings in force (defaults until configured)."""
    return _repo.load_config(store)


# --- routing ----------------------------------------------------------------------------------


def _route(decision: Decision) -> dict[str, tuple[str, Any]]:
    """Policy id → (source, the reason code that routed it) for one decision."""
    routed: dict[str, tuple[str, Any]] = {}
    active: dict[str, str] = {}
    for reason in decision.reasons:
        pid = VersionRef.name_of(reason.policy)
        active.setdefault(pid, reason.action.value)
        if reason.action.value != "review":
            continue
        source = "llm_error" if reason.error is not None else "uncertain"
        if pid not in routed or (source == "llm_error" and routed[pid][0] != "llm_error"):
            routed[pid] = (source, reason)
    for shadow in decision.shadow:
        pid = VersionRef.name_of(shadow.policy)
        if pid in routed:
            continue
        if shadow.action.value != active.get(pid, "allow"):
            routed[pid] = ("shadow_disagreement", shadow)
    return routed


def _score_key(item_id: str, reason: Any) -> tuple[str, str, str, int] | None:
    name, _, version = str(reason.enforcer).rpartition("@")
    if not name or not version.isdigit():
        return None
    return (item_id, reason.policy, name, int(version))


def sync_from_decisions(
    store: Store, *, since: datetime | None = None, now: datetime | None = None
) -> int:
    """Queue every decision routed to review that is not queued yet (idempotent).

    Reads the decision log from where the last sync stopped (a watermark on the log's row
    ids); with `since`, rereads every decision made at or after it (already queued ones are
    skipped by their dedup key). A decision is routed per policy when a verdict asked for
    review (`llm_error` when the verdict has an error, else `uncertain`) or when a shadow's
    action differs from the active one (`shadow_disagreement`).

    Returns:
        Tasks created.
    """
    at = _now(now)
    policies = PolicyCache(store)
    created = 0
    with store.connect() as conn:
        mark = _repo.get_watermark(conn)
    cursor = 0 if since is not None else mark
    while True:
        with store.begin() as conn:
            batch = _repo.decisions_after(conn, cursor, since=since, limit=_SYNC_BATCH)
            if not batch:
                break
            routes = {d.decision_id: _route(d) for _, d in batch}
            keys = {
                k
                for _, d in batch
                for _, reason in routes[d.decision_id].values()
                if (k := _score_key(d.item_id, reason)) is not None
            }
            scores = _repo.verdict_scores(conn, keys)
            communities = _repo.item_communities(conn, [d.item_id for _, d in batch])
            for _, d in batch:
                for pid, (source, reason) in sorted(routes[d.decision_id].items()):
                    key = _score_key(d.item_id, reason)
                    found = scores.get(key) if key is not None else None
                    score = None if found is None else found[0]
                    _, was_created = _repo.insert_task(
                        conn,
                        _task_values(
                            dedup_key=f"decision:{d.decision_id}:{pid}",
                            item_id=d.item_id,
                            decision_id=d.decision_id,
                            policy=pid,
                            community=communities.get(d.item_id),
                            source=source,
                            priority=task_priority(policies.severity(reason.policy), source, score),
                            now=at,
                            details={"enforcer": reason.enforcer, "score": score},
                        ),
                    )
                    created += was_created
            cursor = batch[-1][0]
            if cursor > mark:
                _repo.set_watermark(conn, cursor, now=at)
                mark = cursor
    return created


def _task_values(
    *,
    dedup_key: str,
    item_id: str,
    decision_id: str | None,
    policy: str,
    community: str | None,
    source: str,
    priority: int,
    now: datetime,
    details: dict[str, Any],
    appeal_id: int | None = None,
    excluded_reviewer: str | None = None,
) -> dict[str, Any]:
    return {
        "dedup_key": dedup_key,
        "item_id": item_id,
        "decision_id": decision_id,
        "policy": policy,
        "community": community,
        "source": source,
        "priority": priority,
        "enqueued_at": now,
        "status": "open",
        "appeal_id": appeal_id,
        "excluded_reviewer": excluded_reviewer,
        "details": details,
    }


def enqueue(
    store: Store,
    *,
    item_id: str,
    policy: str,
    community: str | None,
    source: str,
    priority: int | None = None,
    decision_id: str | None = None,
    now: datetime | None = None,
) -> ReviewTask:
    """Put one item in the queue of `policy` (idempotent per source, decision/item and policy).

    Args:
        store: The store.
        item_id: A stored item.
        policy: Policy id (a version suffix is dropped).
        community: The queue's community (None: the site-wide queue).
        source: Why: uncertain, llm_error, shadow_disagreement, monitor_sample, manual
            (appeals are queued by `open_appeal`).
        priority: Explicit priority; None or 0 computes it from severity and source.
        decision_id: The decision that routed it, if any.
        now: The time (default: now, UTC).

    Raises:
        ValidationError: Unknown source, or an empty policy.
        NotFoundError: No such item.
    """
    at = _now(now)
    if source not in TASK_SOURCES or source == "appeal":
        allowed = ", ".join(s for s in TASK_SOURCES if s != "appeal")
        raise ValidationError(f"source {source!r} is not one of {allowed}")
    pid = VersionRef.name_of(policy or "").strip()
    if not pid:
        raise ValidationError("policy must be a policy id")
    with store.connect() as conn:
        if not _repo.get_items(conn, [item_id]):
            raise NotFoundError(f"no item {item_id!r} in the store")
    if not priority:
        priority = task_priority(PolicyCache(store).severity(pid), source, None)
    key = (
        f"decision:{decision_id}:{pid}"
        if decision_id is not None and source in _ROUTED
        else f"{source}:{decision_id or item_id}:{pid}"
    )
    with store.begin() as conn:
        row, _ = _repo.insert_task(
            conn,
            _task_values(
                dedup_key=key,
                item_id=item_id,
                decision_id=decision_id,
                policy=pid,
                community=community,
                source=source,
                priority=int(priority),
                now=at,
                details={},
            ),
        )
    return _repo.row_to_task(row, at)


# --- reading the queues -----------------------------------------------------------------------


def list_queues(
    store: Store, *, allowed: Collection[QueueKey] | None = None, now: datetime | None = None
) -> list[QueueSummary]:
    """Every queue with undecided tasks (or each of `allowed`, even when empty)."""
    at = _now(now)
    with store.connect() as conn:
        return _repo.queue_summaries(conn, queues=allowed, now=at)


def list_tasks(
    store: Store,
    *,
    queue: QueueKey | None = None,
    status: str | None = None,
    limit: int = 100,
    now: datetime | None = None,
) -> list[ReviewTask]:
    """Tasks of one queue (or all), highest priority then oldest first.

    Raises:
        ValidationError: A status other than open, claimed, decided, or a limit below 1.
    """
    if status is not None and status not in ("open", "claimed", "decided"):
        raise ValidationError(f"status {status!r} is not one of open, claimed, decided")
    if limit < 1:
        raise ValidationError("limit must be at least 1")
    at = _now(now)
    with store.connect() as conn:
        rows = _repo.list_task_rows(
            conn, queues=None if queue is None else [queue], status=status, now=at, limit=limit
        )
    return [_repo.row_to_task(r, at) for r in rows]


def get_task(store: Store, task_id: int, *, now: datetime | None = None) -> ReviewTask:
    """One task.

    Raises:
        NotFoundError: No such task.
    """
    at = _now(now)
    with store.connect() as conn:
        row = _repo.task_row(conn, task_id)
    if row is None:
        raise NotFoundError(f"no review task {task_id}")
    return _repo.row_to_task(row, at)


# --- claiming ---------------------------------------------------------------------------------


def claim_next(
    store: Store,
    reviewer: str,
    *,
    queues: Collection[QueueKey] | None = None,
    claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT,
    now: datetime | None = None,
) -> ReviewTask | None:
    """Claim the best open task of the given queues for `reviewer` (None: nothing to do).

    A reviewer who already holds a live claim gets that task back. Otherwise the highest
    priority, oldest open task (or one whose claim expired) is taken with a conditional
    UPDATE; when another reviewer wins the race for a task, the next candidate is tried.
    An appeal's task is never given to the reviewer of the decision appealed.

    Raises:
        ValidationError: An empty reviewer or a non-positive timeout.
    """
    name = _reviewer(reviewer)
    if claim_timeout <= timedelta(0):
        raise ValidationError("claim_timeout must be positive")
    at = _now(now)
    with store.connect() as conn:
        held = _repo.live_claim_of(conn, name, queues, at)
    if held is not None:
        return _repo.row_to_task(held, at)
    for _attempt in range(10):
        with store.connect() as conn:
            candidates = _repo.claim_candidates(conn, name, queues, at, limit=20)
        if not candidates:
            return None
        for task_id in candidates:
            with store.begin() as conn:
                if _repo.try_claim(conn, task_id, name, now=at, expires=at + claim_timeout):
                    row = _repo.task_row(conn, task_id)
                    assert row is not None
                    return _repo.row_to_task(row, at)
    return None


def claim_task(
    store: Store,
    task_id: int,
    reviewer: str,
    *,
    claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT,
    now: datetime | None = None,
) -> ReviewTask:
    """Claim one given task (the UI's "open this one").

    Raises:
        NotFoundError: No such task.
        ConflictError: Decided, claimed by someone else, or the reviewer may not take it.
    """
    name = _reviewer(reviewer)
    at = _now(now)
    with store.begin() as conn:
        row = _repo.task_row(conn, task_id)
        if row is None:
            raise NotFoundError(f"no review task {task_id}")
        if row["excluded_reviewer"] == name:
            raise ConflictError(
                f"task {task_id} re-reviews a decision by {name}: someone else must take it"
            )
        task = _repo.row_to_task(row, at)
        if task.status == "claimed" and task.claimed_by == name:
            return task
        if not _repo.try_claim(conn, task_id, name, now=at, expires=at + claim_timeout):
            raise ConflictError(
                f"task {task_id} is {task.status}"
                + (f" by {task.claimed_by}" if task.status == "claimed" else "")
            )
        fresh = _repo.task_row(conn, task_id)
        assert fresh is not None
        return _repo.row_to_task(fresh, at)


def release_claim(
    store: Store, task_id: int, reviewer: str, *, now: datetime | None = None
) -> None:
    """Give a claimed task back to the queue (skip)."""
    name = _reviewer(reviewer)
    at = _now(now)
    with store.begin() as conn:
        row = _repo.task_row(conn, task_id, for_update=True)
        if row is None:
            raise NotFoundError(f"no review task {task_id}")
        task = _repo.row_to_task(row, at)
        if task.status != "claimed" or task.claimed_by != name:
            raise ConflictError(f"task {task_id} is not claimed by {name}")
        _repo.set_task_status(conn, task_id, status="open", claim_expires_at=at)


# --- the reviewer's view ----------------------------------------------------------------------


def _verdict_views(conn: Any, task: ReviewTask, decision: Decision | None) -> list[VerdictView]:
    stored = _repo.get_verdicts(conn, task.item_id)
    by_key = {(v["policy"], f"{v['enforcer']}@{v['enforcer_version']}"): v for v in stored}
    views: list[VerdictView] = []
    if decision is not None:
        for reason, shadow in [(r, False) for r in decision.reasons] + [
            (r, True) for r in decision.shadow
        ]:
            v = by_key.get((reason.policy, reason.enforcer))
            views.append(
                VerdictView(
                    enforcer=reason.enforcer + (" (shadow)" if shadow else ""),
                    policy=reason.policy,
                    score=None if v is None else float(v["score"]),
                    label=None if v is None else v["label"],
                    action=reason.action.value,
                    criteria=tuple(reason.criteria),
                    rationale=None if v is None else v["rationale"],
                    error=reason.error,
                )
            )
        return views
    for v in stored:
        if VersionRef.name_of(v["policy"]) != task.policy:
            continue
        views.append(
            VerdictView(
                enforcer=f"{v['enforcer']}@{v['enforcer_version']}",
                policy=v["policy"],
                score=float(v["score"]),
                label=v["label"],
                action=v["action"],
                criteria=tuple(v["criteria"] or ()),
                rationale=v["rationale"],
                error=v["error"],
            )
        )
    return views


def _policy_ref_of(task: ReviewTask, decision: Decision | None) -> str:
    if decision is not None:
        for reason in (*decision.reasons, *decision.shadow):
            if VersionRef.name_of(reason.policy) == task.policy:
                return reason.policy
    return task.policy


def first_review_of(conn: Any, decision_id: str | None) -> ReviewDecision | None:
    """The review (not an appeal's) of an automated decision, if a human reviewed it."""
    if decision_id is None:
        return None
    for row in reversed(_repo.reviews_of_decision(conn, decision_id)):
        task = _repo.task_row(conn, int(row["task_id"]))
        if task is not None and task["source"] != "appeal":
            return _repo.row_to_decision(row)
    return None


def review_context(store: Store, task_id: int, *, now: datetime | None = None) -> ReviewContext:
    """What the reviewer sees for a task: text, context, verdicts, the policy, what to mask.

    Raises:
        NotFoundError: No such task, or its item is gone.
    """
    at = _now(now)
    with store.connect() as conn:
        row = _repo.task_row(conn, task_id)
        if row is None:
            raise NotFoundError(f"no review task {task_id}")
        task = _repo.row_to_task(row, at)
        found = _repo.get_items(conn, [task.item_id])
        if task.item_id not in found:
            raise NotFoundError(f"item {task.item_id!r} of task {task_id} is not in the store")
        item = found[task.item_id]
        parent_text = item.parent_text
        if parent_text is None and item.parent_id:
            parent = _repo.get_items(conn, [item.parent_id]).get(item.parent_id)
            parent_text = None if parent is None else parent.text
        decision = None if task.decision_id is None else _repo.get_decision(conn, task.decision_id)
        views = _verdict_views(conn, task, decision)
        first = first_review_of(conn, task.decision_id) if task.source == "appeal" else None
    policy = PolicyCache(store).get(_policy_ref_of(task, decision))
    terms = sensitive_terms(store, task.policy)
    text = item.text
    spans = find_sensitive_spans(text, terms.keywords, extra=regex_spans(text, terms.patterns))
    return ReviewContext(
        task=task,
        item=item,
        parent_text=parent_text,
        verdicts=tuple(views),
        policy_title=policy.title if policy else task.policy,
        policy_definition=policy.definition if policy else "",
        criteria=tuple((c.id, f"{c.title}: {c.description}") for c in policy.violates)
        if policy
        else (),
        allowed=tuple((a.id, f"{a.title}: {a.description}") for a in policy.allowed)
        if policy
        else (),
        sensitive_spans=spans,
        first_review=first,
    )


def record_reveal(
    store: Store, reviewer: str, task_id: int, *, now: datetime | None = None
) -> None:
    """Count that `reviewer` unmasked the text of a task (reviewer protection).

    Raises:
        NotFoundError: No such task.
    """
    name = _reviewer(reviewer)
    at = _now(now)
    with store.begin() as conn:
        row = _repo.task_row(conn, task_id)
        if row is None:
            raise NotFoundError(f"no review task {task_id}")
        _repo.insert_exposure(
            conn,
            {
                "reviewer": name,
                "task_id": task_id,
                "item_id": row["item_id"],
                "policy": row["policy"],
                "kind": "reveal",
                "at": at,
            },
        )


def exposure_counts(store: Store, reviewer: str) -> dict[str, int]:
    """A reviewer's exposure: `reveals` (texts unmasked), `items_decided`, `policy:<id>` reveals."""
    return _repo.exposure_counts(store, _reviewer(reviewer))


# --- deciding ---------------------------------------------------------------------------------


def _check_claim(task: ReviewTask, reviewer: str, at: datetime) -> None:
    if task.status == "decided":
        raise ConflictError(f"task {task.id} is already decided")
    if task.claimed_by != reviewer:
        holder = f"claimed by {task.claimed_by}" if task.status == "claimed" else "not claimed"
        raise ConflictError(
            f"task {task.id} is {holder}: claim it first", hint="modgate review claim"
        )
    if task.status != "claimed":
        raise ConflictError(
            f"the claim of {reviewer} on task {task.id} expired at {task.claim_expires_at}",
            hint="claim it again",
        )


def _check_criteria(store: Store, task: ReviewTask, criteria: Sequence[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(c.strip() for c in criteria if c.strip()))
    policy = PolicyCache(store).get(task.policy)
    if policy is not None and out:
        known = {c.id for c in policy.violates}
        unknown = [c for c in out if c not in known]
        if unknown:
            raise ValidationError(
                f"criteria {unknown} are not criteria of policy {task.policy!r}",
                hint=", ".join(sorted(known)),
            )
    return out


def _automated(conn: Any, task: ReviewTask) -> tuple[str, str | None]:
    """(the decision's action for the task's policy, the acting verdict's label)."""
    if task.decision_id is None:
        return "review", None
    decision = _repo.get_decision(conn, task.decision_id)
    if decision is None:
        return "review", None
    for reason in decision.reasons:
        if VersionRef.name_of(reason.policy) != task.policy:
            continue
        if reason.error is not None:  # a failed verdict judged nothing: no label to overturn
            return reason.action.value, None
        key = _score_key(task.item_id, reason)
        found = _repo.verdict_scores(conn, [key]) if key is not None else {}
        label = found[key][1] if key is not None and key in found else None
        if label is None:
            label = "violating" if reason.action.value == "remove" else None
        return reason.action.value, label
    return "allow", "non_violating"


def decide(
    store: Store,
    task_id: int,
    reviewer: str,
    *,
    label: ReviewLabel,
    criteria: Sequence[str] = (),
    note: str | None = None,
    now: datetime | None = None,
) -> ReviewDecision:
    """Record the reviewer's decision on a task they hold.

    The decision feeds `review_outcomes` (overturned when the human label differs from the
    acting verdict's label), and — when the item falls in the configured sample — becomes
    the reviewer's annotation on the review golden set. An appeal's task decided here decides
    the appeal (violating: upheld; non_violating: overturned).

    Raises:
        NotFoundError: No such task.
        ConflictError: The task is not claimed by `reviewer`, the claim expired, or it is
            already decided.
        ValidationError: A label other than violating / non_violating, or criteria the
            policy does not have.
    """
    name = _reviewer(reviewer)
    at = _now(now)
    if label not in _LABELS:
        raise ValidationError(f"label {label!r} is not one of violating, non_violating")
    task = get_task(store, task_id, now=at)
    if task.source == "appeal":
        from modgate.review._appeals import decide_appeal_task

        return decide_appeal_task(
            store, task, name, label=label, criteria=criteria, note=note, now=at
        )
    chosen = _check_criteria(store, task, criteria)
    config = _repo.load_config(store)
    with store.begin() as conn:
        row = _repo.task_row(conn, task_id, for_update=True)
        assert row is not None
        task = _repo.row_to_task(row, at)
        _check_claim(task, name, at)
        original, automated_label = _automated(conn, task)
        overturned = automated_label is not None and automated_label != label
        action = "remove" if label == "violating" else "allow"
        outcome_id = _repo.insert_outcome(
            conn,
            {
                "item_id": task.item_id,
                "decision_id": task.decision_id,
                "policy": task.policy,
                "community": task.community,
                "source": "review",
                "original_action": original,
                "final_action": action,
                "overturned": overturned,
                "reviewed_at": at,
            },
        )
        assert task.claimed_at is not None
        review_id = _repo.insert_review_decision(
            conn,
            {
                "task_id": task_id,
                "reviewer": name,
                "item_id": task.item_id,
                "decision_id": task.decision_id,
                "policy": task.policy,
                "label": label,
                "action": action,
                "original_action": original,
                "automated_label": automated_label,
                "criteria": list(chosen),
                "note": note,
                "claimed_at": task.claimed_at,
                "decided_at": at,
                "overturned": overturned,
                "outcome_id": outcome_id,
            },
        )
        _repo.set_task_status(conn, task_id, status="decided")
        record_audit_event(
            conn,
            actor=name,
            action="review.decide",
            object_type="review_task",
            object_id=str(task_id),
            details={"label": label, "criteria": list(chosen), "overturned": overturned},
        )
    if is_sampled(config.sample_seed, task.item_id, task.policy, config.rate_for(task.policy)):
        _annotate(store, config.golden_set, task, name, label, chosen, note, review_id)
    with store.connect() as conn:
        written = _repo.get_review_decision(conn, review_id)
    assert written is not None
    return _repo.row_to_decision(written)


def _ensure_set(store: Store, name: str, actor: str) -> None:
    """Create the golden set if needed (a concurrent creation by another reviewer is fine)."""
    from sqlalchemy.exc import IntegrityError

    from modgate.golden import ensure_golden_set

    try:
        ensure_golden_set(store, name, actor=actor)
    except IntegrityError:
        ensure_golden_set(store, name, actor=actor)


def write_to_golden(
    store: Store,
    golden_set: str,
    item: Any,
    labels: Sequence[tuple[str, str, str | None]],
    *,
    reviewer: str,
    review_id: int,
    what: str,
) -> None:
    """Add `item` (a GoldenItem) to `golden_set` with `labels` (label, annotator, rationale).

    The review decision is already recorded: a golden write that fails warns
    (`ReviewGoldenWarning`, naming `what`) instead of undoing it; one that succeeds links the
    review decision to the set.
    """
    from modgate.golden import add_annotation, add_golden_item

    try:
        _ensure_set(store, golden_set, reviewer)
        add_golden_item(store, golden_set, item, actor=reviewer)
        for label, annotator, rationale in labels:
            add_annotation(
                store, golden_set, item.item_id, label=label, annotator=annotator,
                rationale=rationale, actor=reviewer,
            )  # fmt: skip
    except ModgateError as exc:
        warnings.warn(
            f"{what} was recorded but not written to golden set {golden_set!r}: {exc}",
            ReviewGoldenWarning,
            stacklevel=4,
        )
        return
    with store.begin() as conn:
        _repo.update_review_decision(conn, review_id, golden_set=golden_set)


def _annotate(
    store: Store,
    golden_set: str,
    task: ReviewTask,
    reviewer: str,
    label: str,
    criteria: tuple[str, ...],
    note: str | None,
    review_id: int,
) -> None:
    from modgate.golden import GoldenItem

    item = GoldenItem(
        item_id=task.item_id,
        policy=task.policy,
        tags=("review", task.source),
        criteria=criteria,
        source=f"review:{task.source}",
    )
    write_to_golden(
        store, golden_set, item, [(label, reviewer, note)],
        reviewer=reviewer, review_id=review_id, what=f"review {review_id}",
    )  # fmt: skip


def undo_last(
    store: Store,
    reviewer: str,
    *,
    claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT,
    now: datetime | None = None,
) -> ReviewTask | None:
    """Take back the reviewer's last decision: the task reopens, claimed by them again.

    Its `review_outcomes` row and golden annotation are withdrawn; an appeal it decided is
    open again. Returns None when the reviewer has nothing to undo.

    Raises:
        ConflictError: The appeal it decided has been appealed anew since (cannot reopen).
    """
    name = _reviewer(reviewer)
    at = _now(now)
    with store.begin() as conn:
        last = _repo.last_review_of(conn, name)
        if last is None:
            return None
        task_id = int(last["task_id"])
        row = _repo.task_row(conn, task_id, for_update=True)
        assert row is not None
        _repo.update_review_decision(conn, int(last["id"]), undone_at=at)
        if last["outcome_id"] is not None:
            _repo.delete_outcome(conn, int(last["outcome_id"]))
        if row["appeal_id"] is not None:
            from modgate.review._appeals import reopen_appeal

            reopen_appeal(conn, int(row["appeal_id"]))
        _repo.set_task_status(
            conn,
            task_id,
            status="claimed",
            claimed_by=name,
            claimed_at=at,
            claim_expires_at=at + claim_timeout,
        )
        record_audit_event(
            conn,
            actor=name,
            action="review.undo",
            object_type="review_task",
            object_id=str(task_id),
            details={"review_decision": int(last["id"])},
        )
        fresh = _repo.task_row(conn, task_id)
    assert fresh is not None
    if last["golden_set"]:
        from modgate.golden import remove_annotation

        remove_annotation(store, last["golden_set"], last["item_id"], annotator=name, actor=name)
    return _repo.row_to_task(fresh, at)
