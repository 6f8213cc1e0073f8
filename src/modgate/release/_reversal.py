"""What a deployment did while live, and reversal records to undo it on the platform.

A deployment *took* an action on an item when its arm's action for the policy is the
decision's final action and not `allow` (an action another policy outweighed was not its
doing). Reversal writes one record per such decision: `restore` when the enforcer active now
for the policy has a stored verdict that allows the item, else `re_review` (a human decides).
Records are keyed by (deployment, decision), so a second run adds nothing; an integration
applies them and marks them applied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action
from modgate.enforce import list_verdicts
from modgate.errors import ValidationError
from modgate.evaluate import applicable_policy
from modgate.release._deploy import current_deployment, get_deployment
from modgate.release._repo import (
    ArmRecord,
    ReversalRecord,
    arm_records,
    impact_counts,
    record_release_event,
    reversed_decision_ids,
    write_reversals,
)
from modgate.store import Store

ReversalKind = Literal["restore", "re_review"]


class ImpactCount(BaseModel):
    """Decisions of one arm with one action in one community."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arm: str
    """`active` or `canary`."""
    action: str
    """The deployment's action for the policy."""
    community: str | None
    """Community (None: site-wide items)."""
    count: int
    """Decisions."""


class DeploymentImpact(BaseModel):
    """What a deployment did while live."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment_id: str
    """The deployment."""
    policy: str
    """Its policy."""
    decisions: int
    """Decisions made under it."""
    actions: dict[str, int]
    """Decisions by the deployment's action."""
    counts: tuple[ImpactCount, ...]
    """Decisions by arm, action and community."""
    samples: tuple[ArmRecord, ...]
    """A few items per action taken (not allow)."""


def deployment_impact(store: Store, deployment_id: str, *, sample: int = 5) -> DeploymentImpact:
    """Count the decisions made under a deployment by action and community, with samples.

    Raises:
        NotFoundError: No such deployment.
    """
    deployment = get_deployment(store, deployment_id)
    counts = tuple(
        ImpactCount(arm=arm, action=action, community=community, count=n)
        for arm, action, community, n in impact_counts(store, deployment.id)
    )
    by_action: Counter[str] = Counter()
    for c in counts:
        by_action[c.action] += c.count
    samples: list[ArmRecord] = []
    for action in sorted(by_action):
        if action != Action.ALLOW.value and sample > 0:
            samples.extend(arm_records(store, deployment.id, actions=[action], limit=sample))
    return DeploymentImpact(
        deployment_id=deployment.id,
        policy=deployment.policy,
        decisions=sum(by_action.values()),
        actions=dict(sorted(by_action.items())),
        counts=counts,
        samples=tuple(samples),
    )


class ReversalResult(BaseModel):
    """What `reverse_deployment` found and wrote."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment_id: str
    """The reversed deployment."""
    dry_run: bool
    """True: nothing was written."""
    candidates: int
    """Actions the deployment took (within the filters)."""
    already_reversed: int
    """Of those, with a reversal record from an earlier run."""
    written: int
    """Records written now (0 on a dry run)."""
    by_kind: dict[str, int]
    """New records by kind (`restore`, `re_review`), also on a dry run."""
    by_action: dict[str, int]
    """New records by the action taken."""


def _now_allowed(store: Store, policy: str, item_ids: list[str]) -> set[str]:
    """Items the enforcer active now for `policy` has a stored verdict allowing."""
    current = current_deployment(store, policy)
    if current is None or current.state.active is None or not item_ids:
        return set()
    active = current.state.active
    name, version = active.enforcer.rsplit("@", 1)
    cap = applicable_policy(store, active.policy)
    return {
        v.item_id
        for v in list_verdicts(store, enforcer=name, version=int(version), item_ids=item_ids)
        if v.error is None and cap.cap(v.action) is Action.ALLOW
    }


def reverse_deployment(
    store: Store,
    deployment_id: str,
    *,
    reason: str,
    actor: str,
    only: Iterable[str] | None = None,
    arm: str | None = None,
    dry_run: bool = False,
) -> ReversalResult:
    """Write reversal records for the actions a deployment took (idempotent, audited).

    Args:
        store: The store.
        deployment_id: The deployment to reverse.
        reason: Why (required; stored on every record and in the audit log).
        actor: Who reverses.
        only: Reverse only these actions (e.g. `["remove"]`).
        arm: Reverse only the `active` or the `canary` arm's actions.
        dry_run: Count what would be written, write nothing (the preview is audited).

    Raises:
        ValidationError: No reason, an unknown action or arm.
        NotFoundError: No such deployment.
    """
    if not reason or not reason.strip():
        raise ValidationError("a reversal needs --reason TEXT (it is audited)")
    actions = None
    if only is not None:
        actions = sorted(set(only))
        bad = [a for a in actions if a not in {x.value for x in Action} or a == "allow"]
        if bad:
            raise ValidationError(
                f"--only: unknown or unreversible action(s) {', '.join(bad)}",
                hint="one of remove, review, warn, label",
            )
    if arm is not None and arm not in ("active", "canary"):
        raise ValidationError(f"--arm must be active or canary, got {arm!r}")
    deployment = get_deployment(store, deployment_id)
    taken = [
        r
        for r in arm_records(store, deployment.id, actions=actions, decisive=True, arm=arm)
        if r.action != Action.ALLOW.value
    ]
    done = reversed_decision_ids(store, deployment.id)
    new = [r for r in taken if r.decision_id not in done]
    allowed = _now_allowed(store, deployment.policy, [r.item_id for r in new])
    now = datetime.now(UTC)
    records = [
        ReversalRecord(
            deployment_id=deployment.id,
            decision_id=r.decision_id,
            item_id=r.item_id,
            community=r.community,
            policy=r.policy,
            enforcer=r.enforcer,
            taken_action=r.action,
            kind="restore" if r.item_id in allowed else "re_review",
            reason=reason,
            created_at=now,
            created_by=actor,
        )
        for r in new
    ]
    by_kind = Counter(r.kind for r in records)
    by_action = Counter(r.taken_action for r in records)
    details = {
        "deployment": deployment.id,
        "reason": reason,
        "only": actions,
        "arm": arm,
        "candidates": len(taken),
        "already_reversed": len(taken) - len(new),
        "by_kind": dict(sorted(by_kind.items())),
    }
    if dry_run:
        record_release_event(
            store, actor=actor, action="deploy.reverse_preview", object_id=deployment.id,
            details=details,
        )  # fmt: skip
        written = 0
    else:
        written = write_reversals(
            store, records, actor=actor, audit={"action": "deploy.reverse", **details,
                                                "written": len(records)},
        )  # fmt: skip
    return ReversalResult(
        deployment_id=deployment.id,
        dry_run=dry_run,
        candidates=len(taken),
        already_reversed=len(taken) - len(new),
        written=written,
        by_kind=dict(sorted(by_kind.items())),
        by_action=dict(sorted(by_action.items())),
    )


__all__ = [
    "DeploymentImpact",
    "ImpactCount",
    "ReversalKind",
    "ReversalResult",
    "deployment_impact",
    "reverse_deployment",
]
