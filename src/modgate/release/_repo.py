"""Persistence of `release`: gate reports, deployments, decision arms and reversal records.

The one module of `release` touching SQL; it receives a `Store` (or a connection inside the
caller's transaction) and returns typed records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, and_, func, select

from modgate.errors import NotFoundError
from modgate.release._readiness import ReadinessReport
from modgate.release._state import Deployment, DeploymentState
from modgate.store import (
    Store,
    batched,
    bulk_upsert,
    decision_arms,
    decision_features,
    deployments,
    gate_reports,
    record_audit_event,
    reversals,
)


def insert_gate_report(conn: Connection, report: ReadinessReport) -> None:
    """Write a readiness report and its audit event in the caller's transaction."""
    conn.execute(
        gate_reports.insert().values(
            id=report.id,
            run_id=report.run_id,
            gate_name=report.gate_name,
            gate_hash=report.gate_hash,
            enforcer_version_hash=report.enforcer_version_hash,
            golden_hash=report.golden_hash,
            baseline_run_id=report.baseline_run_id,
            verdict=report.verdict,
            report=report.model_dump(mode="json"),
            created_at=report.created_at,
            created_by=report.created_by,
        )
    )
    record_audit_event(
        conn,
        actor=report.created_by,
        action="gate.check",
        object_type="gate_report",
        object_id=report.id,
        details={
            "run_id": report.run_id,
            "gate": report.gate_name,
            "verdict": report.verdict,
            "failed": [r.id for r in report.results if not r.passed],
        },
    )


def _row_to_report(row: Any) -> ReadinessReport:
    report = ReadinessReport.model_validate(row["report"])
    if report.created_at.tzinfo is None:
        report = report.model_copy(update={"created_at": report.created_at.replace(tzinfo=UTC)})
    return report


def get_gate_report(store: Store, report_id: str) -> ReadinessReport:
    """The stored report `report_id`.

    Raises:
        NotFoundError: No such report.
    """
    with store.connect() as conn:
        row = (
            conn.execute(select(gate_reports).where(gate_reports.c.id == report_id))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFoundError(f"no gate report {report_id!r}")
    return _row_to_report(row)


def list_gate_reports(
    store: Store, *, run_id: str | None = None, limit: int = 100
) -> list[ReadinessReport]:
    """Stored reports, newest first, optionally of one run."""
    query = select(gate_reports).order_by(gate_reports.c.created_at.desc()).limit(limit)
    if run_id:
        query = query.where(gate_reports.c.run_id == run_id)
    with store.connect() as conn:
        return [_row_to_report(r) for r in conn.execute(query).mappings()]


def gate_reports_for(store: Store, enforcer_version_hash: str) -> list[ReadinessReport]:
    """Every stored report about one enforcer version, newest first."""
    query = (
        select(gate_reports)
        .where(gate_reports.c.enforcer_version_hash == enforcer_version_hash)
        .order_by(gate_reports.c.created_at.desc(), gate_reports.c.id.desc())
    )
    with store.connect() as conn:
        return [_row_to_report(r) for r in conn.execute(query).mappings()]


# --- deployments ----------------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row_to_deployment(row: Any) -> Deployment:
    return Deployment(
        id=row["id"],
        policy=row["policy"],
        seq=row["seq"],
        serial=row["serial"],
        state=DeploymentState.model_validate(row["state"]),
        base_id=row["base_id"],
        change=row["change"],
        stage=row["stage"],
        enforcer=row["enforcer"],
        restored_id=row["restored_id"],
        forced=bool(row["forced"]),
        reason=row["reason"],
        created_at=_aware(row["created_at"]),
        created_by=row["created_by"],
    )


def latest_deployment(conn: Connection, policy: str) -> Deployment | None:
    """The current deployment of a policy (its highest step), read in the caller's transaction."""
    row = (
        conn.execute(
            select(deployments)
            .where(deployments.c.policy == policy)
            .order_by(deployments.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _row_to_deployment(row)


def find_deployment(conn: Connection, deployment_id: str) -> Deployment | None:
    """A deployment by id, or None."""
    row = (
        conn.execute(select(deployments).where(deployments.c.id == deployment_id))
        .mappings()
        .first()
    )
    return None if row is None else _row_to_deployment(row)


def insert_deployment(
    conn: Connection,
    *,
    deployment_id: str,
    policy: str,
    seq: int,
    state: DeploymentState,
    base_id: str | None,
    change: str,
    stage: str | None,
    enforcer: str | None,
    restored_id: str | None,
    forced: bool,
    reason: str | None,
    at: datetime,
    actor: str,
    audit: dict[str, Any],
) -> Deployment:
    """Write a deployment record and its audit event (`deploy.<change>`) in one transaction.

    Raises:
        sqlalchemy.exc.IntegrityError: Another change of the policy took the same step.
    """
    values = {
        "id": deployment_id,
        "policy": policy,
        "seq": seq,
        "state": state.model_dump(mode="json"),
        "base_id": base_id,
        "change": change,
        "stage": stage,
        "enforcer": enforcer,
        "restored_id": restored_id,
        "forced": forced,
        "reason": reason,
        "created_at": at,
        "created_by": actor,
    }
    result = conn.execute(deployments.insert().values(**values))
    serial = result.inserted_primary_key[0] if result.inserted_primary_key else None
    record_audit_event(
        conn,
        actor=actor,
        action=f"deploy.{change}",
        object_type="deployment",
        object_id=deployment_id,
        details=audit,
        at=at,
    )
    return _row_to_deployment({**values, "serial": int(serial or 0)})


def list_deployments(store: Store, policy: str) -> list[Deployment]:
    """Every deployment record of a policy, oldest first."""
    query = select(deployments).where(deployments.c.policy == policy).order_by(deployments.c.seq)
    with store.connect() as conn:
        return [_row_to_deployment(r) for r in conn.execute(query).mappings()]


def _token(conn: Connection) -> str:
    # Count and maximum together: a change committed with a lower serial than one already
    # seen still moves the count.
    count, top = conn.execute(select(func.count(), func.max(deployments.c.serial))).one()
    return f"{int(count or 0)}:{int(top or 0)}"


def current_deployments(store: Store) -> tuple[str, list[Deployment]]:
    """The change token and the current deployment of every policy (by policy id)."""
    latest = (
        select(deployments.c.policy, func.max(deployments.c.seq).label("seq"))
        .group_by(deployments.c.policy)
        .subquery()
    )
    query = (
        select(deployments)
        .join(
            latest,
            and_(deployments.c.policy == latest.c.policy, deployments.c.seq == latest.c.seq),
        )
        .order_by(deployments.c.policy)
    )
    with store.connect() as conn:
        token = _token(conn)
        rows = [_row_to_deployment(r) for r in conn.execute(query).mappings()]
    return token, rows


def deployments_token(store: Store) -> str:
    """A token that changes whenever any deployment changes (one small query)."""
    with store.connect() as conn:
        return _token(conn)


# --- decision arms --------------------------------------------------------------------------


class ArmRecord(BaseModel):
    """One policy's part of one decision made under a deployment (a row of `decision_arms`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision_id: str
    """The decision."""
    deployment_id: str
    """The deployment it was made under."""
    policy: str
    """Policy id."""
    arm: str
    """`active` or `canary`."""
    enforcer: str
    """`enforcer@version` that acted."""
    action: str
    """The action this policy's verdict asked for (after the policy's own cap)."""
    final_action: str
    """The decision's final action."""
    item_id: str
    """The item."""
    community: str | None
    """Its community."""
    decided_at: datetime
    """When (UTC)."""


def write_decision_arms(conn: Connection, rows: Sequence[ArmRecord]) -> int:
    """Insert arm rows in the caller's transaction; a known (decision, policy) is kept."""
    return bulk_upsert(
        conn,
        decision_arms,
        [r.model_dump() for r in rows],
        key=["decision_id", "policy"],
        update=[],
    )


def write_decision_features(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert rows of `decision_features` (keyed by decision id) in the caller's transaction."""
    return bulk_upsert(
        conn,
        decision_features,
        list(rows),
        key=["decision_id"],
        update=[
            "community",
            "evasion_signals",
            "normalization_changed",
            "caught_after_normalization",
        ],
    )


def impact_counts(store: Store, deployment_id: str) -> list[tuple[str, str, str | None, int]]:
    """(arm, action, community, count) of the decisions made under a deployment (SQL)."""
    query = (
        select(
            decision_arms.c.arm,
            decision_arms.c.action,
            decision_arms.c.community,
            func.count(),
        )
        .where(decision_arms.c.deployment_id == deployment_id)
        .group_by(decision_arms.c.arm, decision_arms.c.action, decision_arms.c.community)
        .order_by(decision_arms.c.arm, decision_arms.c.action, decision_arms.c.community)
    )
    with store.connect() as conn:
        return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(query)]


def arm_records(
    store: Store,
    deployment_id: str,
    *,
    actions: Iterable[str] | None = None,
    decisive: bool = False,
    arm: str | None = None,
    limit: int | None = None,
) -> list[ArmRecord]:
    """Arm rows of a deployment, by decision time then id.

    Args:
        store: The store.
        deployment_id: The deployment.
        actions: Only these arm actions.
        decisive: Only rows whose action is the decision's final action (what was done).
        arm: Only `active` or `canary` rows.
        limit: At most this many rows.
    """
    query = (
        select(decision_arms)
        .where(decision_arms.c.deployment_id == deployment_id)
        .order_by(decision_arms.c.decided_at, decision_arms.c.id)
    )
    if actions is not None:
        query = query.where(decision_arms.c.action.in_(sorted(set(actions))))
    if decisive:
        query = query.where(decision_arms.c.action == decision_arms.c.final_action)
    if arm is not None:
        query = query.where(decision_arms.c.arm == arm)
    if limit is not None:
        query = query.limit(limit)
    columns = [c.name for c in decision_arms.columns if c.name != "id"]
    with store.connect() as conn:
        return [
            ArmRecord(
                **{c: r[c] for c in columns if c != "decided_at"},
                decided_at=_aware(r["decided_at"]),
            )
            for r in conn.execute(query).mappings()
        ]


# --- reversal records -----------------------------------------------------------------------


class ReversalRecord(BaseModel):
    """An instruction to undo one action of a deployment on the platform (a `reversals` row)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment_id: str
    """The deployment whose action is reversed."""
    decision_id: str
    """The decision that took the action."""
    item_id: str
    """The item."""
    community: str | None
    """Its community."""
    policy: str
    """Policy id."""
    enforcer: str
    """`enforcer@version` that took the action."""
    taken_action: str
    """The action taken."""
    kind: str
    """`restore` (undo it) or `re_review` (send to a human)."""
    reason: str
    """Why the deployment is reversed."""
    created_at: datetime
    """When the record was written (UTC)."""
    created_by: str
    """Who reversed."""
    applied_at: datetime | None = None
    """When an integration applied it on the platform (None: pending)."""


def reversed_decision_ids(store: Store, deployment_id: str) -> set[str]:
    """Decisions of a deployment that already have a reversal record."""
    query = select(reversals.c.decision_id).where(reversals.c.deployment_id == deployment_id)
    with store.connect() as conn:
        return set(conn.execute(query).scalars())


def write_reversals(
    store: Store, rows: Sequence[ReversalRecord], *, actor: str, audit: dict[str, Any]
) -> int:
    """Insert reversal records (a known (deployment, decision) is kept) and audit the step.

    Returns:
        Rows offered.
    """
    with store.begin() as conn:
        written = bulk_upsert(
            conn,
            reversals,
            [r.model_dump() for r in rows],
            key=["deployment_id", "decision_id"],
            update=[],
        )
        record_audit_event(
            conn,
            actor=actor,
            action=str(audit.pop("action", "deploy.reverse")),
            object_type="deployment",
            object_id=str(audit["deployment"]),
            details=audit,
        )
    return written


def list_reversals(
    store: Store, *, deployment_id: str | None = None, pending: bool = False
) -> list[ReversalRecord]:
    """Stored reversal records, oldest first, optionally of one deployment or still pending."""
    query = select(reversals).order_by(reversals.c.id)
    if deployment_id is not None:
        query = query.where(reversals.c.deployment_id == deployment_id)
    if pending:
        query = query.where(reversals.c.applied_at.is_(None))
    columns = [c.name for c in reversals.columns if c.name != "id"]
    with store.connect() as conn:
        found = []
        for r in conn.execute(query).mappings():
            values = {c: r[c] for c in columns}
            values["created_at"] = _aware(values["created_at"])
            if values["applied_at"] is not None:
                values["applied_at"] = _aware(values["applied_at"])
            found.append(ReversalRecord(**values))
        return found


def mark_reversals_applied(
    store: Store, deployment_id: str, decision_ids: Iterable[str], *, actor: str
) -> int:
    """Record that an integration applied these reversals on the platform (audited).

    Returns:
        Records newly marked.
    """
    now = datetime.now(UTC)
    marked = 0
    wanted = sorted(set(decision_ids))
    with store.begin() as conn:
        for chunk in batched(wanted):
            result = conn.execute(
                reversals.update()
                .where(
                    reversals.c.deployment_id == deployment_id,
                    reversals.c.decision_id.in_(chunk),
                    reversals.c.applied_at.is_(None),
                )
                .values(applied_at=now)
            )
            marked += result.rowcount or 0
        record_audit_event(
            conn,
            actor=actor,
            action="deploy.reversal_applied",
            object_type="deployment",
            object_id=deployment_id,
            details={"marked": marked, "offered": len(wanted)},
            at=now,
        )
    return marked


def record_release_event(
    store: Store, *, actor: str, action: str, object_id: str, details: dict[str, Any]
) -> None:
    """Audit one release step that writes nothing else (a decide run, a dry run)."""
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action=action,
            object_type="deployment",
            object_id=object_id,
            details=details,
        )


__all__ = [
    "ArmRecord",
    "ReversalRecord",
    "arm_records",
    "current_deployments",
    "find_deployment",
    "gate_reports_for",
    "get_gate_report",
    "impact_counts",
    "insert_deployment",
    "insert_gate_report",
    "latest_deployment",
    "deployments_token",
    "list_deployments",
    "list_gate_reports",
    "list_reversals",
    "mark_reversals_applied",
    "record_release_event",
    "reversed_decision_ids",
    "write_decision_arms",
    "write_reversals",
]


class ActionCount(BaseModel):
    """Decisions of one policy arm with one action in one time bucket (`action_counts`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bucket: datetime
    """Start of the bucket (UTC, truncated to the hour or day)."""
    policy: str
    """Policy id."""
    arm: str
    """`active` or `canary`."""
    action: str
    """The arm's action."""
    count: int
    """How many decisions."""


def action_counts(
    store: Store, *, start: datetime, end: datetime, bucket: str = "day"
) -> list[ActionCount]:
    """Decisions per (bucket, policy, arm, action) made in [start, end), counted in SQL.

    One statement on both backends: a grid of (policy, arm, action) × time buckets, each cell
    an index range count on `ix_decision_arms_policy_arm_action_at`; no sort of the window's
    rows (a GROUP BY over a million rows sorts them all, ten times slower).

    Args:
        store: The store.
        start: Window start (inclusive, UTC).
        end: Window end (exclusive, UTC).
        bucket: `hour` or `day`.

    Raises:
        ValidationError: Unknown bucket, or end before start.
    """
    from datetime import timedelta

    from sqlalchemy import DateTime, Integer, String, bindparam, text

    from modgate.domain import Action
    from modgate.errors import ValidationError

    if bucket not in ("hour", "day"):
        raise ValidationError(f"bucket {bucket!r} is not 'hour' or 'day'")
    if end < start:
        raise ValidationError("the window ends before it starts")
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1)
    first = start.replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        first = first.replace(hour=0)
    edges: list[tuple[datetime, datetime, datetime]] = []
    at = first
    while at < end:
        edges.append((at, max(at, start), min(at + step, end)))
        at += step
    # the policies present, by a loose index scan (one index seek per policy, not a full scan)
    distinct = text(
        "WITH RECURSIVE p(x) AS (SELECT min(policy) FROM decision_arms UNION ALL "
        "SELECT (SELECT min(policy) FROM decision_arms WHERE policy > p.x) FROM p "
        "WHERE p.x IS NOT NULL) SELECT x FROM p WHERE x IS NOT NULL"
    )
    with store.connect() as conn:
        policies = sorted(str(x) for x in conn.execute(distinct).scalars())
    if not edges or not policies:
        return []
    # Two small VALUES tables (buckets, cells) as CTEs, which both SQLite and PostgreSQL
    # accept; timestamps are bound with the column's type, so they compare as stored.
    tz = DateTime(timezone=True)
    binds: list[Any] = []
    bucket_rows = []
    for k, (b, lo, hi) in enumerate(edges):
        binds += [bindparam(f"b{k}", b, type_=tz), bindparam(f"l{k}", lo, type_=tz),
                  bindparam(f"h{k}", hi, type_=tz)]  # fmt: skip
        bucket_rows.append(f"(:b{k}, :l{k}, :h{k})")
    cell_rows = []
    cells = [
        (p, arm, act.value) for p in policies for arm in ("active", "canary") for act in Action
    ]
    for k, (p, arm, act) in enumerate(cells):
        binds += [bindparam(f"p{k}", p, type_=String()), bindparam(f"a{k}", arm, type_=String()),
                  bindparam(f"c{k}", act, type_=String())]  # fmt: skip
        cell_rows.append(f"(:p{k}, :a{k}, :c{k})")
    query = (
        text(
            f"WITH b(bucket, lo, hi) AS (VALUES {', '.join(bucket_rows)}), "  # noqa: S608 - binds only
            f"c(p, arm, act) AS (VALUES {', '.join(cell_rows)}) "
            "SELECT b.bucket AS bucket, c.p AS p, c.arm AS arm, c.act AS act, "
            "(SELECT count(*) FROM decision_arms d WHERE d.policy = c.p AND d.arm = c.arm "
            "AND d.action = c.act AND d.decided_at >= b.lo AND d.decided_at < b.hi) AS n "
            "FROM c CROSS JOIN b"
        )
        .bindparams(*binds)
        .columns(bucket=tz, p=String(), arm=String(), act=String(), n=Integer())
    )
    out: list[ActionCount] = []
    with store.connect() as conn:
        for r in conn.execute(query):
            if r.n:
                out.append(
                    ActionCount(
                        bucket=_aware(r.bucket),
                        policy=r.p,
                        arm=r.arm,
                        action=r.act,
                        count=int(r.n),
                    )  # fmt: skip
                )
    out.sort(key=lambda x: (x.bucket, x.policy, x.arm, x.action))
    return out
