"""An in-memory view of the current deployments, cheap to check for changes.

A service or stream worker loads a `DeploymentSnapshot` once, decides many items with it, and
asks `refresh_snapshot` now and then: that costs one small query and reloads only when some
deployment changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from modgate.enforce import ApplicablePolicy
from modgate.evaluate import applicable_policy
from modgate.release._repo import current_deployments, deployments_token
from modgate.release._state import Deployment
from modgate.store import Store


class DeploymentSnapshot(BaseModel):
    """The current deployment of every policy, with the decision view of each policy version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str
    """Change token of the deployments table when loaded (`deployments_changed` compares it)."""
    deployments: Mapping[str, Deployment]
    """Current deployment by policy id."""
    policies: Mapping[str, ApplicablePolicy]
    """Scope and allowed actions by `policy@version` of each deployed enforcer."""

    @property
    def deployment_ids(self) -> list[str]:
        """Ids of the current deployments, by policy."""
        return [d.id for _, d in sorted(self.deployments.items())]


def load_deployment_snapshot(store: Store) -> DeploymentSnapshot:
    """Read the current deployments and their policies into a snapshot."""
    token, found = current_deployments(store)
    refs = sorted({e.policy for d in found for e in d.state.enforcers()})
    return DeploymentSnapshot(
        token=token,
        deployments={d.policy: d for d in found},
        policies={ref: applicable_policy(store, ref) for ref in refs},
    )


def deployments_changed(store: Store, snapshot: DeploymentSnapshot) -> bool:
    """Whether any deployment changed since the snapshot was loaded (one small query)."""
    return deployments_token(store) != snapshot.token


def refresh_snapshot(store: Store, snapshot: DeploymentSnapshot) -> DeploymentSnapshot:
    """The same snapshot when nothing changed, else a freshly loaded one."""
    return load_deployment_snapshot(store) if deployments_changed(store, snapshot) else snapshot


__all__ = [
    "DeploymentSnapshot",
    "deployments_changed",
    "load_deployment_snapshot",
    "refresh_snapshot",
]
