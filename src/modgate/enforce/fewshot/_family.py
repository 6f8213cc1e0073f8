"""Per-community thresholds of an enforcer that serves a rule family."""

from __future__ import annotations

from modgate.enforce._protocol import ActionThresholds, EnforcerSpec, EnforcerThresholds
from modgate.policy import family_thresholds
from modgate.store import Store


def family_spec(store: Store, spec: EnforcerSpec, family_id: int) -> EnforcerSpec:
    """`spec` serving a stored rule family: its thresholds set from the family's.

    The family's default threshold (when set) becomes the spec's `remove` threshold, and each
    member community with its own threshold gets an override with that `remove` threshold
    (its other actions as the spec's). The result is a new spec to register, so the version
    hash covers the thresholds it acts with; `params.family` records the family.

    Raises:
        NotFoundError: No such family.
    """
    family = family_thresholds(store, family_id)
    base = spec.thresholds
    default = base if family.default is None else base.model_copy(update={"remove": family.default})
    plain = ActionThresholds(
        remove=default.remove, review=default.review, warn=default.warn, label=default.label
    )
    communities = dict(base.communities)
    for community, threshold in sorted(family.communities.items()):
        current = communities.get(community, plain)
        communities[community] = current.model_copy(update={"remove": threshold})
    thresholds = EnforcerThresholds(**plain.model_dump(), communities=communities)
    params = {**spec.params, "family": family_id}
    return spec.model_copy(update={"thresholds": thresholds, "params": params, "version": None})


__all__ = ["family_spec"]
