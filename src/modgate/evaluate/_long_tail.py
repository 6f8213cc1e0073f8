"""`estimate_run_communities`: the long-tail table of a stored eval run (reads the store).

Per-community figures shrink toward the stored rule family (`modgate policy families`) the
run's enforcer serves, when there is one, and toward the site otherwise.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action
from modgate.errors import NotFoundError, ValidationError
from modgate.evaluate._repo import load_predictions
from modgate.evaluate._shrinkage import (
    CommunityEstimate,
    ReviewAllocation,
    estimate_communities,
    plan_label_budget,
)
from modgate.store import Store

NO_COMMUNITY = "(none)"
"""Community name used for items without one."""


class CommunityEstimatesReport(BaseModel):
    """Per-community figures of one eval run, raw and shrunk, with an optional review plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    """The eval run."""
    level: float
    """Credible level of the intervals."""
    items: int
    """Items of the run."""
    communities: list[CommunityEstimate]
    """One estimate per community."""
    plan: list[ReviewAllocation]
    """Reviews allocated by uncertainty × volume × severity (empty without a budget)."""
    family: int | None = None
    """The stored rule family its member communities shrink toward (None: the site)."""


def family_groups(store: Store, family_id: int) -> dict[str, str]:
    """Community → family label for the members of a stored rule family (`policy families`).

    Raises:
        NotFoundError: No such family.
    """
    from modgate.policy import family_thresholds

    label = f"family:{family_id}"
    return {community: label for community, _ in family_thresholds(store, family_id).members}


def _family_of_run(store: Store, run_id: str) -> int | None:
    """The family the run's enforcer serves (`params.family` of its spec), if it names one."""
    from modgate.enforce import get_enforcer_version
    from modgate.evaluate._repo import get_eval_run

    try:
        version = get_enforcer_version(store, get_eval_run(store, run_id).enforcer)
    except NotFoundError:
        return None
    family = version.spec.params.get("family")
    return family if isinstance(family, int) and not isinstance(family, bool) else None


def estimate_run_communities(
    store: Store,
    run_id: str,
    *,
    families: dict[str, str] | None = None,
    family: int | None = None,
    level: float = 0.9,
    min_groups: int = 5,
    budget: int | None = None,
    volumes: dict[str, int] | None = None,
    severity: dict[str, float] | None = None,
) -> CommunityEstimatesReport:
    """Per-community precision, recall and action rate of a run, shrunk toward family or site.

    Args:
        store: The store.
        run_id: The eval run.
        families: Community → rule family (see `shrink_rates`).
        family: A stored rule family (`modgate policy families`): its member communities
            shrink toward the family's prior, the others toward the site's. Default: the
            family the run's enforcer serves (`params.family`), when it names one that
            exists; ignored when `families` is given.
        level: Credible level, e.g. 0.9.
        min_groups: Communities a family needs for its own prior.
        budget: Reviews to plan across communities (None: no plan).
        volumes: Community → traffic volume for the plan (default: its items in the run).
        severity: Community → severity weight for the plan (default 1).

    Returns:
        The report.

    Raises:
        NotFoundError: No such run, or no such `family`.
        ValidationError: The run has no predictions.
    """
    records = load_predictions(store, run_id)
    if not records:
        raise ValidationError(f"eval run {run_id} has no predictions")
    if families is None:
        if family is None:
            family = _family_of_run(store, run_id)
            try:
                families = family_groups(store, family) if family is not None else None
            except NotFoundError:  # recomputed families renumber: fall back to the site
                family = None
        else:
            families = family_groups(store, family)
    else:
        family = None
    names = [(r.slices.get("community") or (NO_COMMUNITY,))[0] for r in records]
    estimates = estimate_communities(
        names,
        [r.gold for r in records],
        [r.predicted for r in records],
        [r.action is not Action.ALLOW for r in records],
        families=families,
        level=level,
        min_groups=min_groups,
    )
    plan: list[ReviewAllocation] = []
    if budget is not None:
        plan = plan_label_budget(
            [e.community for e in estimates],
            [e.precision.sd for e in estimates],
            [(volumes or {}).get(e.community, e.items) for e in estimates],
            budget,
            severity=[(severity or {}).get(e.community, 1.0) for e in estimates],
        )
    return CommunityEstimatesReport(
        run_id=run_id,
        level=level,
        items=len(records),
        communities=estimates,
        plan=plan,
        family=family,
    )
