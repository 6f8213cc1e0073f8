"""Deployment records and stage transitions (pure: no database, clock or environment).

Per policy, a deployment state has one `active` enforcer version, any number in `shadow` and
at most one `canary` with a traffic share. Each change makes a new `Deployment` record holding
the whole state, so any earlier state can be restored exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import DeploymentError, ValidationError
from modgate.release._choices import Stage as Stage


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeployedEnforcer(_Frozen):
    """One enforcer version in a deployment, with the evidence that let it in."""

    enforcer: str
    """`name@version`."""
    version_hash: str
    """Hash of that version (what the gate report was bound to)."""
    policy: str
    """`policy_id@version` the enforcer enforces."""
    report_id: str | None = None
    """The passing gate report that opened the gate (None when forced)."""
    forced: bool = False
    """Whether it was deployed with `--force` (audited, with the reason)."""

    @property
    def name(self) -> str:
        """The enforcer name."""
        return self.enforcer.rsplit("@", 1)[0]


class CanaryArm(DeployedEnforcer):
    """The canary: an enforcer version acting on a stable share of items."""

    share: float = Field(gt=0.0, lt=1.0)
    """Share of items (by stable hash) it acts on."""
    salt: str = Field(min_length=1)
    """Routing salt, fixed when this enforcer became the canary (a share change keeps it)."""


class DeploymentState(_Frozen):
    """What is deployed for one policy."""

    active: DeployedEnforcer | None = None
    """The enforcer acting on every item outside the canary share."""
    canary: CanaryArm | None = None
    """The canary, if any."""
    shadow: tuple[DeployedEnforcer, ...] = ()
    """Enforcers judging every item without acting."""

    def stage_of(self, enforcer: str) -> Stage | None:
        """Where `enforcer` (`name@version`) is in this state, None if nowhere."""
        if self.active is not None and self.active.enforcer == enforcer:
            return Stage.ACTIVE
        if self.canary is not None and self.canary.enforcer == enforcer:
            return Stage.CANARY
        if any(s.enforcer == enforcer for s in self.shadow):
            return Stage.SHADOW
        return None

    def enforcers(self) -> list[DeployedEnforcer]:
        """Every enforcer of the state: active, canary, then shadows."""
        found: list[DeployedEnforcer] = [e for e in (self.active, self.canary) if e is not None]
        return found + list(self.shadow)


class Deployment(_Frozen):
    """One recorded deployment state of a policy: a step of its history."""

    id: str
    """Deployment id, `dep-<policy>-<seq>`."""
    policy: str
    """Policy id (without version)."""
    seq: int
    """Step number in the policy's history, from 1."""
    serial: int
    """Global counter over every policy's deployments (grows with each change)."""
    state: DeploymentState
    """The whole state after this change."""
    base_id: str | None
    """The deployment a rollback of this one returns to (None: nothing before it)."""
    change: Literal["set", "rollback"]
    """What made this record."""
    stage: Stage | None
    """For `set`: the stage asked for."""
    enforcer: str | None
    """For `set`: the enforcer moved."""
    restored_id: str | None
    """For `rollback`: the deployment whose state was restored."""
    forced: bool
    """Whether the gate was overridden with `--force`."""
    reason: str | None
    """Reason given (required for force and rollback)."""
    created_at: datetime
    """When (UTC)."""
    created_by: str
    """Who."""


def apply_stage(
    state: DeploymentState,
    entry: DeployedEnforcer,
    stage: Stage,
    *,
    share: float | None,
    salt: str,
) -> DeploymentState:
    """The state after putting `entry` at `stage` (pure).

    - `active` replaces the active version (the enforcer leaves shadow or canary).
    - `canary` replaces the canary (at most one) and needs a share in (0, 1) and an active
      version to split from; a share change of the same canary keeps its salt.
    - `shadow` adds a shadow (leaving the canary); the active version cannot also be a shadow.
    - `off` takes the enforcer out of shadow or canary; the active one is replaced, not removed.

    Raises:
        ValidationError: A share was given for another stage, or is missing or out of range.
        DeploymentError: The change is impossible in this state.
    """
    ref = entry.enforcer
    if stage is not Stage.CANARY and share is not None:
        raise ValidationError("--share applies to --stage canary only")
    current = state.stage_of(ref)
    shadow = tuple(s for s in state.shadow if s.enforcer != ref)
    canary = state.canary if current is not Stage.CANARY else None
    if stage is Stage.ACTIVE:
        return DeploymentState(active=entry, canary=canary, shadow=shadow)
    if stage is Stage.CANARY:
        if share is None or not 0.0 < share < 1.0:
            raise ValidationError(
                f"a canary needs a share strictly between 0 and 1, got {share}",
                hint="e.g. --share 0.1 (promote with --stage active)",
            )
        if state.active is None:
            raise DeploymentError(
                f"no active enforcer for {entry.policy}: a canary needs one to split traffic from",
                hint="deploy one with --stage active first",
            )
        if current is Stage.ACTIVE:
            raise DeploymentError(f"{ref} is the active enforcer; it cannot also be the canary")
        keep = state.canary.salt if current is Stage.CANARY and state.canary else salt
        arm = CanaryArm(**entry.model_dump(), share=share, salt=keep)
        return DeploymentState(active=state.active, canary=arm, shadow=shadow)
    if stage is Stage.SHADOW:
        if current is Stage.ACTIVE:
            raise DeploymentError(f"{ref} is the active enforcer; it cannot also be a shadow")
        return DeploymentState(active=state.active, canary=canary, shadow=(*shadow, entry))
    if current is None:
        raise DeploymentError(f"{ref} is not deployed for this policy")
    if current is Stage.ACTIVE:
        raise DeploymentError(
            f"{ref} is the active enforcer: deploy another one active, or roll back"
        )
    return DeploymentState(active=state.active, canary=canary, shadow=shadow)


__all__ = [
    "CanaryArm",
    "DeployedEnforcer",
    "Deployment",
    "DeploymentState",
    "Stage",
    "apply_stage",
]
