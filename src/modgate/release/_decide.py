"""Decisions under the current deployments: active or canary arm acts, shadows never do.

For each policy the active enforcer acts, or the canary for items in its share; shadow
verdicts are stored beside the decision and never act. Each decision's monitor features
(`decision_features`: evasion signals, community) and the monitor roll-ups are written with it,
in the same transaction.

`decide_with_deployments` is the per-request / per-message path (a service or stream worker
keeps a `DeploymentSnapshot` and an `EnforcerPool` in memory); `decide` runs it over stored
items in batches, resumably: decision ids are a function of (item, deployments), so a batch
already decided is skipped and a replayed one writes nothing twice.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action, Decision, DeploymentArm, Item, ReasonCode, Verdict
from modgate.enforce import (
    ApplicablePolicy,
    Enforcer,
    EnforcerVersion,
    combine_verdicts,
    existing_decision_ids,
    judge_items,
    load_enforcer,
    write_new_decisions,
    write_verdicts,
)
from modgate.errors import DeploymentError, NotFoundError, ValidationError
from modgate.registry import Registry
from modgate.release._features import decision_feature_rows
from modgate.release._repo import (
    ArmRecord,
    record_release_event,
    write_decision_arms,
    write_decision_features,
)
from modgate.release._routing import routes_to_canary
from modgate.release._snapshot import DeploymentSnapshot, load_deployment_snapshot
from modgate.release._state import DeployedEnforcer, Deployment
from modgate.store import Store, apply_rollups, get_items

_MAX_LISTED = 20


class EnforcerPool:
    """Enforcers of deployed versions, loaded once and kept (thread-safe).

    Args:
        store: The store of the catalog.
        workspace: Workspace root (artifacts are relative to it).
        registry: Kinds (default: installed plugins).
    """

    def __init__(self, store: Store, workspace: Path, registry: Registry | None = None) -> None:
        self._store = store
        self._workspace = workspace
        self._registry = registry
        self._loaded: dict[str, tuple[EnforcerVersion, Enforcer]] = {}
        self._lock = threading.Lock()

    def get(self, ref: str) -> tuple[EnforcerVersion, Enforcer]:
        """The catalog version and enforcer of `name@version`, loading it on first use."""
        with self._lock:
            found = self._loaded.get(ref)
            if found is None:
                found = load_enforcer(
                    self._store, ref, workspace=self._workspace, registry=self._registry
                )
                self._loaded[ref] = found
            return found


def deployment_decision_id(item_id: str, deployment_ids: Sequence[str]) -> str:
    """Deterministic decision id of an item decided under a set of deployments."""
    joined = ",".join(sorted(deployment_ids))
    digest = hashlib.sha256(f"{item_id}\n{joined}".encode()).hexdigest()[:32]
    return f"deploy:{digest}"


@dataclass(frozen=True)
class _Plan:
    deployment: Deployment
    arm: Literal["active", "canary"]
    acting: DeployedEnforcer
    shadows: tuple[DeployedEnforcer, ...]


def route_item(snapshot: DeploymentSnapshot, item: Item) -> list[_Plan]:
    """Which deployment and arm decide each applicable policy of an item (pure)."""
    plans: list[_Plan] = []
    for _, deployment in sorted(snapshot.deployments.items()):
        state = deployment.state
        if state.active is None:
            continue
        policy = snapshot.policies[state.active.policy]
        if not policy.applies_to(item):
            continue
        canary = state.canary
        if canary is not None and routes_to_canary(item.id, canary.salt, canary.share):
            plans.append(_Plan(deployment, "canary", canary, state.shadow))
        else:
            plans.append(_Plan(deployment, "active", state.active, state.shadow))
    return plans


def _shadow_reason(policy: ApplicablePolicy, verdict: Verdict) -> ReasonCode:
    action = Action.REVIEW if verdict.error is not None else policy.cap(verdict.action)
    return ReasonCode(
        policy=verdict.policy if "@" in verdict.policy else policy.policy,
        enforcer=verdict.enforcer,
        action=action,
        criteria=verdict.criteria,
        error=verdict.error,
    )


def _policy_action(decision: Decision, policy_id: str) -> Action:
    actions = [r.action for r in decision.reasons if r.policy.split("@", 1)[0] == policy_id]
    return max(actions, key=lambda a: a.severity, default=Action.ALLOW)


def _decisions(
    snapshot: DeploymentSnapshot,
    unique: Sequence[Item],
    plans: Mapping[str, list[_Plan]],
    verdicts: Mapping[tuple[str, str], Verdict],
    decision_ids: Mapping[str, str],
    at: datetime,
) -> tuple[list[Decision], list[ArmRecord]]:
    """Each item's decision under its plans, and its arm rows."""
    made: list[Decision] = []
    arms: list[ArmRecord] = []
    for item in unique:
        item_plans = plans[item.id]
        decision_id = decision_ids.get(item.id) or deployment_decision_id(
            item.id, [p.deployment.id for p in item_plans]
        )
        decision = combine_verdicts(
            item,
            [verdicts[(p.acting.enforcer, item.id)] for p in item_plans],
            [snapshot.policies[p.acting.policy] for p in item_plans],
            decision_id=decision_id,
            decided_at=at,
        )
        shadow = tuple(
            _shadow_reason(snapshot.policies[s.policy], verdicts[(s.enforcer, item.id)])
            for p in item_plans
            for s in p.shadows
        )
        decision = decision.model_copy(
            update={
                "deployments": tuple(
                    DeploymentArm(
                        policy=p.deployment.policy,
                        deployment_id=p.deployment.id,
                        arm=p.arm,
                        enforcer=p.acting.enforcer,
                        shadow=tuple(s.enforcer for s in p.shadows),
                    )
                    for p in item_plans
                ),
                "shadow": shadow,
            }
        )
        made.append(decision)
        arms.extend(
            ArmRecord(
                decision_id=decision_id,
                deployment_id=p.deployment.id,
                policy=p.deployment.policy,
                arm=p.arm,
                enforcer=p.acting.enforcer,
                action=_policy_action(decision, p.deployment.policy).value,
                final_action=decision.action.value,
                item_id=item.id,
                community=item.community,
                decided_at=at,
            )
            for p in item_plans
        )
    return made, arms


def decide_with_deployments(
    store: Store,
    snapshot: DeploymentSnapshot,
    items: Sequence[Item],
    *,
    enforcers: EnforcerPool,
    decision_ids: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> list[Decision]:
    """Decide items under a deployment snapshot and store the decisions (idempotent).

    For each policy with an active enforcer that applies to an item, the canary acts when the
    item's stable hash falls in its share, else the active enforcer; every shadow judges the
    item too, its verdict stored and recorded in `Decision.shadow`, never acting. Verdicts
    already stored for an (enforcer version, item) are reused; the rest are made now and
    stored. Items need not be in the store.

    Args:
        store: The store.
        snapshot: The deployments to decide under (`load_deployment_snapshot`).
        items: The items.
        enforcers: Loaded enforcers, kept across calls.
        decision_ids: Idempotency key per item id (e.g. a message id); default: a hash of the
            item id and the deployment ids, so deciding again under the same deployments
            stores nothing new.
        now: Decision time (default: now).

    Returns:
        One decision per distinct item, in order, each naming its deployments and arms.
    """
    unique = list({item.id: item for item in items}.values())
    plans = {item.id: route_item(snapshot, item) for item in unique}
    wanted: dict[str, list[Item]] = {}
    for item in unique:
        for plan in plans[item.id]:
            for entry in (plan.acting, *plan.shadows):
                wanted.setdefault(entry.enforcer, []).append(item)
    verdicts: dict[tuple[str, str], Verdict] = {}
    new_verdicts: list[tuple[EnforcerVersion, list[Verdict]]] = []
    # one connection and one transaction per call: stored verdicts are read, each enforcer
    # judges all its items at once (its vectorized predict), and the new verdicts, the
    # decisions, their arms and their features are written together, committed once
    with store.connect() as conn:
        for ref, chosen in wanted.items():
            version, enforcer = enforcers.get(ref)
            judged = judge_items(conn, version, enforcer, chosen)
            for verdict in judged.verdicts:
                verdicts[(ref, verdict.item_id)] = verdict
            if judged.made:
                new_verdicts.append((version, judged.made))
        at = now or datetime.now(UTC)
        made, arms = _decisions(snapshot, unique, plans, verdicts, decision_ids or {}, at)
        # monitor features (evasion signals) once per decision, in the decisions' transaction
        features = decision_feature_rows(made, {item.id: item for item in unique})
        for version, fresh in new_verdicts:
            write_verdicts(conn, fresh, version, now=at)
        # …and the monitor roll-ups, from the decisions this transaction actually inserted (a
        # replayed decision id is not returned, so it never counts twice)
        inserted = write_new_decisions(conn, made)
        write_decision_arms(conn, arms)
        write_decision_features(conn, features)
        apply_rollups(conn, inserted)
        conn.commit()
    return made


class DecideResult(BaseModel):
    """What a `decide` run did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployments: tuple[str, ...]
    """The deployments decided under."""
    selected: int
    """Distinct items selected."""
    already_decided: int
    """Items skipped: decided under these deployments before (resumed or repeated run)."""
    decided: int
    """Items decided now."""
    actions: dict[str, int]
    """Final actions of the decisions made now."""
    arms: dict[str, int]
    """Decisions per `policy:arm`."""
    shadow_disagreements: int
    """(Item, policy) pairs where a shadow would have acted otherwise than the arm that acted."""


def decide(
    store: Store,
    item_ids: Sequence[str],
    *,
    workspace: Path,
    actor: str,
    batch_size: int = 500,
    snapshot: DeploymentSnapshot | None = None,
    enforcers: EnforcerPool | None = None,
    progress: Callable[[int], None] | None = None,
) -> DecideResult:
    """Decide stored items under the current deployments, in batches; resumable, audited.

    Args:
        store: The store.
        item_ids: Items to decide (duplicates once).
        workspace: Workspace root (enforcer artifacts).
        actor: Who runs it (audit `decide.run`).
        batch_size: Items per batch (and transaction).
        snapshot: Deployments to use (default: the current ones, loaded once for the run).
        enforcers: Loaded enforcers to reuse.
        progress: Called with the number of items finished after each batch.

    Raises:
        DeploymentError: No policy has an active enforcer.
        NotFoundError: Some items are not in the store.
        ValidationError: Bad batch size.
    """
    if batch_size < 1:
        raise ValidationError(f"batch size must be at least 1, got {batch_size}")
    snapshot = snapshot or load_deployment_snapshot(store)
    if not any(d.state.active is not None for d in snapshot.deployments.values()):
        raise DeploymentError(
            "nothing is deployed: no policy has an active enforcer",
            hint="modgate deploy set ENFORCER@V --stage active --gates GATE",
        )
    pool = enforcers or EnforcerPool(store, workspace)
    wanted = list(dict.fromkeys(item_ids))
    skipped = decided = disagreements = 0
    actions: Counter[str] = Counter()
    arms: Counter[str] = Counter()
    for start in range(0, len(wanted), batch_size):
        chunk = wanted[start : start + batch_size]
        found = get_items(store, chunk)
        missing = [i for i in chunk if i not in found]
        if missing:
            raise NotFoundError(
                f"{len(missing)} item(s) not in the store: {', '.join(missing[:_MAX_LISTED])}",
                hint="import them first (modgate items import)",
            )
        ids = {
            i: deployment_decision_id(i, [p.deployment.id for p in route_item(snapshot, found[i])])
            for i in chunk
        }
        done = existing_decision_ids(store, ids.values())
        todo = [found[i] for i in chunk if ids[i] not in done]
        skipped += len(chunk) - len(todo)
        if todo:
            made = decide_with_deployments(store, snapshot, todo, enforcers=pool, decision_ids=ids)
            decided += len(made)
            for decision in made:
                actions[decision.action.value] += 1
                for arm in decision.deployments:
                    arms[f"{arm.policy}:{arm.arm}"] += 1
                    acted = _policy_action(decision, arm.policy)
                    if any(
                        r.policy.split("@", 1)[0] == arm.policy and r.action is not acted
                        for r in decision.shadow
                    ):
                        disagreements += 1
        if progress is not None:
            progress(len(chunk))
    result = DecideResult(
        deployments=tuple(snapshot.deployment_ids),
        selected=len(wanted),
        already_decided=skipped,
        decided=decided,
        actions=dict(sorted(actions.items())),
        arms=dict(sorted(arms.items())),
        shadow_disagreements=disagreements,
    )
    record_release_event(
        store,
        actor=actor,
        action="decide.run",
        object_id=",".join(result.deployments),
        details=result.model_dump(),
    )
    return result


__all__ = [
    "DecideResult",
    "EnforcerPool",
    "decide",
    "decide_with_deployments",
    "deployment_decision_id",
    "route_item",
]
