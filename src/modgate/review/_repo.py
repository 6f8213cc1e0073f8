"""The review package's only reader and writer of the database.

Tables: `review_tasks`, `review_decisions`, `appeals`, `review_exposures`, `review_settings`
(store/_tables_review.py), and `review_outcomes` (store/_tables_monitor.py), which this module
writes when a review or appeal is decided and the overturn monitors read. It also reads the
decision log (`decisions`), `verdicts` and `items`, which other packages write.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from modgate.domain import Decision, Item, ReasonCode
from modgate.review._schema import (
    Appeal,
    QueueKey,
    QueueSummary,
    ReviewConfig,
    ReviewDecision,
    ReviewTask,
)
from modgate.store import (
    Store,
    appeals,
    batched,
    decisions,
    items,
    review_decisions,
    review_exposures,
    review_outcomes,
    review_settings,
    review_tasks,
    row_to_item,
    verdicts,
)

_CONFIG = "config"
_WATERMARK = "sync_watermark"


def aware(value: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite hands back naive values)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _req(value: datetime | None) -> datetime:
    out = aware(value)
    assert out is not None
    return out


# --- settings ---------------------------------------------------------------------------------


def get_setting(conn: Connection, name: str) -> Any:
    """A stored setting's JSON value (None when unset)."""
    row = conn.execute(
        select(review_settings.c.value).where(review_settings.c.name == name)
    ).first()
    return None if row is None else row[0]


def put_setting(conn: Connection, name: str, value: Any, *, now: datetime) -> None:
    """Write a setting (insert or replace)."""
    changed = conn.execute(
        update(review_settings)
        .where(review_settings.c.name == name)
        .values(value=value, updated_at=now)
    ).rowcount
    if not changed:
        conn.execute(insert(review_settings).values(name=name, value=value, updated_at=now))


def load_config(store: Store) -> ReviewConfig:
    """The review settings (defaults when never configured)."""
    with store.connect() as conn:
        value = get_setting(conn, _CONFIG)
    return ReviewConfig.model_validate(value) if value else ReviewConfig()


def save_config(store: Store, config: ReviewConfig, *, now: datetime) -> None:
    """Store the review settings."""
    with store.begin() as conn:
        put_setting(conn, _CONFIG, config.model_dump(mode="json"), now=now)


def get_watermark(conn: Connection) -> int:
    """Row id of the last decision `sync_from_decisions` read (0: none yet)."""
    value = get_setting(conn, _WATERMARK)
    return int(value) if value is not None else 0


def set_watermark(conn: Connection, row_id: int, *, now: datetime) -> None:
    """Advance the sync watermark."""
    put_setting(conn, _WATERMARK, row_id, now=now)


# --- the decision log, verdicts, items (read only) --------------------------------------------


def _row_to_decision(r: Any) -> Decision:
    from modgate.domain import DeploymentArm

    return Decision(
        decision_id=r["decision_id"],
        item_id=r["item_id"],
        action=r["action"],
        reasons=tuple(ReasonCode.model_validate(x) for x in r["reasons"]),
        decided_at=_req(r["decided_at"]),
        deployments=tuple(DeploymentArm.model_validate(x) for x in r["deployments"] or ()),
        shadow=tuple(ReasonCode.model_validate(x) for x in r["shadow"] or ()),
    )


def decisions_after(
    conn: Connection, row_id: int, *, since: datetime | None, limit: int
) -> list[tuple[int, Decision]]:
    """Decisions with a row id above `row_id` (oldest first), decided at or after `since`."""
    q = select(decisions).where(decisions.c.id > row_id).order_by(decisions.c.id).limit(limit)
    if since is not None:
        q = q.where(decisions.c.decided_at >= since)
    return [(int(r["id"]), _row_to_decision(r)) for r in conn.execute(q).mappings()]


def get_decision(conn: Connection, decision_id: str) -> Decision | None:
    """One decision of the log."""
    row = (
        conn.execute(select(decisions).where(decisions.c.decision_id == decision_id))
        .mappings()
        .first()
    )
    return None if row is None else _row_to_decision(row)


def iter_removals(
    store: Store, *, since: datetime | None, until: datetime | None, chunk: int = 1000
) -> Iterator[Decision]:
    """Decisions whose action is remove, oldest first, in [since, until)."""
    last = 0
    while True:
        q = (
            select(decisions)
            .where(decisions.c.id > last, decisions.c.action == "remove")
            .order_by(decisions.c.id)
            .limit(chunk)
        )
        if since is not None:
            q = q.where(decisions.c.decided_at >= since)
        if until is not None:
            q = q.where(decisions.c.decided_at < until)
        with store.connect() as conn:
            rows = list(conn.execute(q).mappings())
        if not rows:
            return
        for r in rows:
            yield _row_to_decision(r)
        last = int(rows[-1]["id"])


def count_removals(store: Store, *, since: datetime | None, until: datetime | None) -> int:
    """How many removals `iter_removals` would give."""
    q = select(func.count()).select_from(decisions).where(decisions.c.action == "remove")
    if since is not None:
        q = q.where(decisions.c.decided_at >= since)
    if until is not None:
        q = q.where(decisions.c.decided_at < until)
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


def get_items(conn: Connection, ids: Collection[str]) -> dict[str, Item]:
    """Stored items by id."""
    found: dict[str, Item] = {}
    for chunk in batched(sorted(set(ids))):
        for row in conn.execute(select(items).where(items.c.id.in_(chunk))).mappings():
            found[row["id"]] = row_to_item(row)
    return found


def item_communities(conn: Connection, ids: Collection[str]) -> dict[str, str | None]:
    """Community of each stored item."""
    out: dict[str, str | None] = {}
    for chunk in batched(sorted(set(ids))):
        q = select(items.c.id, items.c.community).where(items.c.id.in_(chunk))
        for row in conn.execute(q):
            out[row.id] = row.community
    return out


def get_verdicts(conn: Connection, item_id: str) -> list[dict[str, Any]]:
    """Every stored verdict about an item."""
    q = select(verdicts).where(verdicts.c.item_id == item_id).order_by(verdicts.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def verdict_scores(
    conn: Connection, keys: Collection[tuple[str, str, str, int]]
) -> dict[tuple[str, str, str, int], tuple[float, str]]:
    """(score, label) of verdicts keyed by (item id, policy ref, enforcer name, version)."""
    out: dict[tuple[str, str, str, int], tuple[float, str]] = {}
    by_item: dict[str, list[tuple[str, str, str, int]]] = {}
    for key in keys:
        by_item.setdefault(key[0], []).append(key)
    for chunk in batched(sorted(by_item)):
        q = select(
            verdicts.c.item_id,
            verdicts.c.policy,
            verdicts.c.enforcer,
            verdicts.c.enforcer_version,
            verdicts.c.score,
            verdicts.c.label,
        ).where(verdicts.c.item_id.in_(chunk))
        for r in conn.execute(q):
            out[(r.item_id, r.policy, r.enforcer, int(r.enforcer_version))] = (
                float(r.score),
                str(r.label),
            )
    return out


# --- tasks ------------------------------------------------------------------------------------


def row_to_task(r: Any, now: datetime) -> ReviewTask:
    """A task row as a record; a claim that has expired reads as `open`."""
    status = r["status"]
    expires = aware(r["claim_expires_at"])
    if status == "claimed" and expires is not None and expires <= now:
        status = "open"
    return ReviewTask(
        id=int(r["id"]),
        item_id=r["item_id"],
        decision_id=r["decision_id"],
        policy=r["policy"],
        community=r["community"],
        source=r["source"],
        priority=int(r["priority"]),
        enqueued_at=_req(r["enqueued_at"]),
        status=status,
        claimed_by=r["claimed_by"],
        claimed_at=aware(r["claimed_at"]),
        claim_expires_at=expires,
        appeal_id=None if r["appeal_id"] is None else int(r["appeal_id"]),
    )


def task_row(conn: Connection, task_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
    """The raw row of a task."""
    q = select(review_tasks).where(review_tasks.c.id == task_id)
    if for_update and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def task_by_key(conn: Connection, dedup_key: str) -> dict[str, Any] | None:
    """The raw row of the task with this dedup key."""
    row = (
        conn.execute(select(review_tasks).where(review_tasks.c.dedup_key == dedup_key))
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def insert_task(conn: Connection, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Insert a task unless one with its dedup key exists; (row, created)."""
    existing = task_by_key(conn, values["dedup_key"])
    if existing is not None:
        return existing, False
    try:
        with conn.begin_nested():  # a concurrent insert of the same key must not abort us
            conn.execute(insert(review_tasks).values(**values))
    except IntegrityError:
        found = task_by_key(conn, values["dedup_key"])
        assert found is not None
        return found, False
    found = task_by_key(conn, values["dedup_key"])
    assert found is not None
    return found, True


def _queue_filter(queues: Collection[QueueKey] | None) -> Any:
    if queues is None:
        return None
    conds = []
    for key in queues:
        community = (
            review_tasks.c.community.is_(None)
            if key.community is None
            else review_tasks.c.community == key.community
        )
        conds.append(and_(review_tasks.c.policy == key.policy, community))
    return or_(*conds) if conds else review_tasks.c.id < 0


def list_task_rows(
    conn: Connection,
    *,
    queues: Collection[QueueKey] | None,
    status: str | None,
    now: datetime,
    limit: int,
) -> list[dict[str, Any]]:
    """Task rows of some queues, highest priority then oldest first."""
    q = select(review_tasks)
    where = _queue_filter(queues)
    if where is not None:
        q = q.where(where)
    expired = and_(review_tasks.c.status == "claimed", review_tasks.c.claim_expires_at <= now)
    live_claim = and_(review_tasks.c.status == "claimed", review_tasks.c.claim_expires_at > now)
    if status == "open":
        q = q.where(or_(review_tasks.c.status == "open", expired))
    elif status == "claimed":
        q = q.where(live_claim)
    elif status is not None:
        q = q.where(review_tasks.c.status == status)
    q = q.order_by(
        review_tasks.c.priority.desc(), review_tasks.c.enqueued_at, review_tasks.c.id
    ).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def queue_summaries(
    conn: Connection, *, queues: Collection[QueueKey] | None, now: datetime
) -> list[QueueSummary]:
    """Open and claimed counts, oldest task and top priority per queue (undecided tasks)."""
    live = and_(review_tasks.c.status == "claimed", review_tasks.c.claim_expires_at > now)
    from sqlalchemy import Integer, case, cast

    q = (
        select(
            review_tasks.c.policy,
            review_tasks.c.community,
            func.sum(cast(case((live, 0), else_=1), Integer)).label("open"),
            func.sum(cast(case((live, 1), else_=0), Integer)).label("claimed"),
            func.min(review_tasks.c.enqueued_at).label("oldest"),
            func.max(review_tasks.c.priority).label("top"),
        )
        .where(review_tasks.c.status != "decided")
        .group_by(review_tasks.c.policy, review_tasks.c.community)
    )
    where = _queue_filter(queues)
    if where is not None:
        q = q.where(where)
    out = [
        QueueSummary(
            key=QueueKey(policy=r.policy, community=r.community),
            open=int(r.open or 0),
            claimed=int(r.claimed or 0),
            oldest_enqueued_at=aware(r.oldest),
            max_priority=int(r.top or 0),
        )
        for r in conn.execute(q)
    ]
    if queues is not None:  # a queue the caller may see but with nothing in it still shows
        seen = {s.key for s in out}
        out.extend(
            QueueSummary(key=k, open=0, claimed=0, oldest_enqueued_at=None, max_priority=0)
            for k in queues
            if k not in seen
        )
    return sorted(out, key=lambda s: (s.key.policy, s.key.community or ""))


def live_claim_of(
    conn: Connection, reviewer: str, queues: Collection[QueueKey] | None, now: datetime
) -> dict[str, Any] | None:
    """The task a reviewer holds an unexpired claim on, if any (highest priority first)."""
    q = select(review_tasks).where(
        review_tasks.c.status == "claimed",
        review_tasks.c.claimed_by == reviewer,
        review_tasks.c.claim_expires_at > now,
    )
    where = _queue_filter(queues)
    if where is not None:
        q = q.where(where)
    q = q.order_by(review_tasks.c.priority.desc(), review_tasks.c.enqueued_at).limit(1)
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def claim_candidates(
    conn: Connection,
    reviewer: str,
    queues: Collection[QueueKey] | None,
    now: datetime,
    limit: int,
) -> list[int]:
    """Ids of claimable tasks (open or with an expired claim), best first."""
    claimable = or_(
        review_tasks.c.status == "open",
        and_(review_tasks.c.status == "claimed", review_tasks.c.claim_expires_at <= now),
    )
    q = select(review_tasks.c.id).where(
        claimable,
        or_(
            review_tasks.c.excluded_reviewer.is_(None),
            review_tasks.c.excluded_reviewer != reviewer,
        ),
    )
    where = _queue_filter(queues)
    if where is not None:
        q = q.where(where)
    q = q.order_by(
        review_tasks.c.priority.desc(), review_tasks.c.enqueued_at, review_tasks.c.id
    ).limit(limit)
    return [int(r[0]) for r in conn.execute(q)]


def try_claim(
    conn: Connection, task_id: int, reviewer: str, *, now: datetime, expires: datetime
) -> bool:
    """Claim a task if it is still claimable: one conditional UPDATE, so exactly one wins.

    On PostgreSQL a concurrent UPDATE of the same row waits for the other transaction, then
    re-checks the WHERE clause against the committed row (READ COMMITTED), so the loser
    updates nothing; SQLite serialises writers, with the same effect.
    """
    claimable = or_(
        review_tasks.c.status == "open",
        and_(review_tasks.c.status == "claimed", review_tasks.c.claim_expires_at <= now),
    )
    result = conn.execute(
        update(review_tasks)
        .where(review_tasks.c.id == task_id, claimable)
        .values(status="claimed", claimed_by=reviewer, claimed_at=now, claim_expires_at=expires)
    )
    return result.rowcount == 1


def set_task_status(conn: Connection, task_id: int, **values: Any) -> None:
    """Update a task's status and claim columns."""
    conn.execute(update(review_tasks).where(review_tasks.c.id == task_id).values(**values))


def tasks_of_appeal(conn: Connection, appeal_id: int) -> dict[str, Any] | None:
    """The task that re-reviews an appeal."""
    row = (
        conn.execute(select(review_tasks).where(review_tasks.c.appeal_id == appeal_id))
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


# --- review decisions and outcomes ------------------------------------------------------------


def row_to_decision(r: Any) -> ReviewDecision:
    """A review decision row as a record."""
    return ReviewDecision(
        id=int(r["id"]),
        task_id=int(r["task_id"]),
        reviewer=r["reviewer"],
        label=r["label"],
        action=r["action"],
        criteria=tuple(r["criteria"] or ()),
        note=r["note"],
        claimed_at=_req(r["claimed_at"]),
        decided_at=_req(r["decided_at"]),
        overturned=bool(r["overturned"]),
    )


def insert_review_decision(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a review decision; its id."""
    result = conn.execute(insert(review_decisions).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_review_decision(conn: Connection, decision_id: int, **values: Any) -> None:
    """Update a review decision (its outcome row, golden set, undo time)."""
    conn.execute(
        update(review_decisions).where(review_decisions.c.id == decision_id).values(**values)
    )


def get_review_decision(conn: Connection, review_id: int) -> dict[str, Any] | None:
    """A review decision's row."""
    row = (
        conn.execute(select(review_decisions).where(review_decisions.c.id == review_id))
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def last_review_of(conn: Connection, reviewer: str) -> dict[str, Any] | None:
    """The reviewer's most recent decision that is not undone."""
    row = (
        conn.execute(
            select(review_decisions)
            .where(review_decisions.c.reviewer == reviewer, review_decisions.c.undone_at.is_(None))
            .order_by(review_decisions.c.decided_at.desc(), review_decisions.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def reviews_of_decision(conn: Connection, decision_id: str) -> list[dict[str, Any]]:
    """Review decisions (not undone) about one automated decision, oldest first."""
    q = (
        select(review_decisions)
        .where(
            review_decisions.c.decision_id == decision_id, review_decisions.c.undone_at.is_(None)
        )
        .order_by(review_decisions.c.decided_at, review_decisions.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def iter_human_removals(
    store: Store, *, since: datetime | None, until: datetime | None, chunk: int = 1000
) -> Iterator[dict[str, Any]]:
    """Review decisions (not undone, not appeals) that removed an item, oldest first."""
    last = 0
    while True:
        q = (
            select(review_decisions, review_tasks.c.source, review_tasks.c.community)
            .join(review_tasks, review_tasks.c.id == review_decisions.c.task_id)
            .where(
                review_decisions.c.id > last,
                review_decisions.c.action == "remove",
                review_decisions.c.undone_at.is_(None),
                review_tasks.c.source != "appeal",
            )
            .order_by(review_decisions.c.id)
            .limit(chunk)
        )
        if since is not None:
            q = q.where(review_decisions.c.decided_at >= since)
        if until is not None:
            q = q.where(review_decisions.c.decided_at < until)
        with store.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
        if not rows:
            return
        yield from rows
        last = int(rows[-1]["id"])


def count_human_removals(store: Store, *, since: datetime | None, until: datetime | None) -> int:
    """How many rows `iter_human_removals` would give."""
    q = (
        select(func.count())
        .select_from(
            review_decisions.join(review_tasks, review_tasks.c.id == review_decisions.c.task_id)
        )
        .where(
            review_decisions.c.action == "remove",
            review_decisions.c.undone_at.is_(None),
            review_tasks.c.source != "appeal",
        )
    )
    if since is not None:
        q = q.where(review_decisions.c.decided_at >= since)
    if until is not None:
        q = q.where(review_decisions.c.decided_at < until)
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


def insert_outcome(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a `review_outcomes` row (what the overturn monitors read); its id."""
    result = conn.execute(insert(review_outcomes).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def delete_outcome(conn: Connection, outcome_id: int) -> None:
    """Remove an outcome row (its review decision was undone)."""
    conn.execute(delete(review_outcomes).where(review_outcomes.c.id == outcome_id))


# --- appeals ----------------------------------------------------------------------------------


def row_to_appeal(r: Any) -> Appeal:
    """An appeal row as a record."""
    return Appeal(
        id=int(r["id"]),
        decision_id=r["decision_id"],
        item_id=r["item_id"],
        policy=r["policy"],
        appellant=r["appellant"],
        statement=r["statement"],
        opened_at=_req(r["opened_at"]),
        status=r["status"],
        first_reviewer=r["first_reviewer"],
        decided_by=r["decided_by"],
        decided_at=aware(r["decided_at"]),
    )


def insert_appeal(conn: Connection, values: dict[str, Any]) -> int | None:
    """Insert an appeal; None when the decision already has an open one."""
    try:
        with conn.begin_nested():
            result = conn.execute(insert(appeals).values(**values))
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def appeal_row(
    conn: Connection, appeal_id: int, *, for_update: bool = False
) -> dict[str, Any] | None:
    """An appeal's row."""
    q = select(appeals).where(appeals.c.id == appeal_id)
    if for_update and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def close_appeal(conn: Connection, appeal_id: int, **values: Any) -> bool:
    """Record an appeal's outcome if it is still open; whether it was."""
    result = conn.execute(
        update(appeals)
        .where(appeals.c.id == appeal_id, appeals.c.status == "open")
        .values(open_key=None, **values)
    )
    return result.rowcount == 1


def list_appeal_rows(conn: Connection, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    """Appeals, newest first."""
    q = select(appeals).order_by(appeals.c.opened_at.desc(), appeals.c.id.desc()).limit(limit)
    if status is not None:
        q = q.where(appeals.c.status == status)
    return [dict(r) for r in conn.execute(q).mappings()]


def appeals_of_decisions(
    conn: Connection, decision_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The latest appeal of each decision."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in batched(sorted(set(decision_ids))):
        q = (
            select(appeals)
            .where(appeals.c.decision_id.in_(chunk))
            .order_by(appeals.c.opened_at, appeals.c.id)
        )
        for r in conn.execute(q).mappings():
            out[r["decision_id"]] = dict(r)
    return out


# --- exposures --------------------------------------------------------------------------------


def insert_exposure(conn: Connection, values: dict[str, Any]) -> None:
    """Record that a reviewer saw (or unmasked) an item."""
    conn.execute(insert(review_exposures).values(**values))


def exposure_counts(store: Store, reviewer: str) -> dict[str, int]:
    """Counts of a reviewer's exposures by kind, and per policy as `policy:<id>`."""
    with store.connect() as conn:
        by_kind = conn.execute(
            select(review_exposures.c.kind, func.count())
            .where(review_exposures.c.reviewer == reviewer)
            .group_by(review_exposures.c.kind)
        ).all()
        by_policy = conn.execute(
            select(review_exposures.c.policy, func.count())
            .where(review_exposures.c.reviewer == reviewer, review_exposures.c.kind == "reveal")
            .group_by(review_exposures.c.policy)
        ).all()
        decided = conn.execute(
            select(func.count())
            .select_from(review_decisions)
            .where(review_decisions.c.reviewer == reviewer, review_decisions.c.undone_at.is_(None))
        ).scalar_one()
    out = {"reveals": 0, "items_decided": int(decided)}
    for kind, n in by_kind:
        out["reveals" if kind == "reveal" else kind] = int(n)
    for policy, n in by_policy:
        out[f"policy:{policy}"] = int(n)
    return out


def reopen_appeal_row(conn: Connection, appeal_id: int, decision_id: str) -> bool:
    """Set a decided appeal open again; False when the decision has another open appeal."""
    try:
        with conn.begin_nested():
            conn.execute(
                update(appeals)
                .where(appeals.c.id == appeal_id)
                .values(status="open", decided_by=None, decided_at=None, open_key=decision_id)
            )
    except IntegrityError:
        return False
    return True
