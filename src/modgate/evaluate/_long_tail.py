"""`estimate_run_communities`: the long-tail table of a stored eval run (reads the store)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action
from modgate.errors import ValidationError
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


def estimate_run_communities(
    store: Store,
    run_id: str,
    *,
    families: dict[str, str] | None = None,
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
        level: Credible level, e.g. 0.9.
        min_groups: Communities a family needs for its own prior.
        budget: Reviews to plan across communities (None: no plan).
        volumes: Community → traffic volume for the plan (default: its items in the run).
        severity: Community → severity weight for the plan (default 1).

    Returns:
        The report.

    Raises:
        NotFoundError: No such run.
        ValidationError: The run has no predictions.
    """
    records = load_predictions(store, run_id)
    if not records:
        raise ValidationError(f"eval run {run_id} has no predictions")
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
        run_id=run_id, level=level, items=len(records), communities=estimates, plan=plan
    )
