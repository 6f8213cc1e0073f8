"""Run SIMULATED traffic through the real decide path (`decide_with_deployments`).

Items are saved, decided hour by hour under the current deployments (decision time = the end
of the item's hour); the decide path records each decision's monitor features with it (the
report counts them from the store). A model regression wraps the canary of its policy so that it
flips a stable share of its verdicts after the start: the verdicts are made and stored by the
usual path, only their content is regressed. The ground truth goes to a JSON file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from modgate.authoring import compose_document, read_source, validate
from modgate.domain import Item, Verdict
from modgate.enforce import Enforcer, EnforcerVersion
from modgate.errors import DeploymentError
from modgate.monitor._simulate import (
    SIMULATED,
    STATED_MODEL,
    ModelRegression,
    PlannedItem,
    PolicyChange,
    SimulationSpec,
    TopicShift,
    TrafficPlan,
    batches_by_hour,
    flip_verdict,
    in_regression,
    load_source,
    plan_traffic,
)
from modgate.release import EnforcerPool, deploy, load_deployment_snapshot
from modgate.release import decide_with_deployments as _decide
from modgate.store import Store, save_items


class SimulationReport(BaseModel):
    """What a simulation run did (every figure is of SIMULATED traffic)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    simulated: str = SIMULATED
    stated_model: str = STATED_MODEL
    items: int
    decisions: int
    featured: int
    actions: dict[str, int]
    communities: int
    scenarios: dict[str, int]
    """Scenario → items it injected or altered."""
    ground_truth: str | None
    """Where the ground-truth file was written."""


class _RegressedEnforcer:
    """An enforcer whose verdicts on items in the regression are flipped."""

    def __init__(self, inner: Enforcer, flipped: set[str]) -> None:
        self._inner = inner
        self._flipped = flipped

    @property
    def spec(self):  # type: ignore[no-untyped-def]  # mirrors the wrapped enforcer's spec
        return self._inner.spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        made = self._inner.predict(items)
        return [flip_verdict(v) if v.item_id in self._flipped else v for v in made]


class _RegressionPool(EnforcerPool):
    """A pool that hands out regressed canaries for the given refs."""

    def __init__(self, inner: EnforcerPool, refs: set[str], flipped: set[str]) -> None:
        self._inner_pool, self._refs, self._flipped = inner, refs, flipped

    def get(self, ref: str) -> tuple[EnforcerVersion, Enforcer]:
        version, enforcer = self._inner_pool.get(ref)
        if ref in self._refs:
            return version, _RegressedEnforcer(enforcer, self._flipped)
        return version, enforcer


def _featured(store: Store, decision_ids: list[str]) -> int:
    """Decisions among these whose features the decide path stored."""
    from sqlalchemy import func, select

    from modgate.store import decision_features

    with store.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(decision_features)
                .where(decision_features.c.decision_id.in_(decision_ids))
            ).scalar_one()
        )


def load_simulation_file(path: Path) -> SimulationSpec:
    """Load a simulation file (YAML: `model`, `source`, `scenarios`) through the authoring loader.

    A relative `source` (or topic-shift `source`) is read relative to the file's folder.

    Raises:
        AuthoringError: Unreadable or malformed YAML, or content that does not fit; every
            problem is listed with its line (a `ValidationError`).
    """
    document = compose_document(read_source(path), source=str(path), what="simulation file")
    data = document.data
    if not isinstance(data, dict):
        document.add((), "a simulation file is a mapping (model, source, scenarios)")
        document.raise_for_problems("simulation file")
        raise AssertionError("unreachable")
    spec = validate(document, SimulationSpec, data=data)
    document.raise_for_problems("simulation file")
    assert spec is not None
    base = path.parent

    def here(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    scenarios = tuple(
        s.model_copy(update={"source": here(s.source)}) if isinstance(s, TopicShift) else s
        for s in spec.scenarios
    )
    return spec.model_copy(update={"source": here(spec.source), "scenarios": scenarios})


def prepare_plan(spec: SimulationSpec, *, limit: int | None = None) -> TrafficPlan:
    """Read the source (and topic-shift sources) and plan the traffic."""
    texts = load_source(spec.source, limit=limit)
    extra = {
        s.source: load_source(s.source, limit=limit)
        for s in spec.scenarios
        if isinstance(s, TopicShift)
    }
    return plan_traffic(spec, texts, extra)


def run_simulation(
    store: Store,
    spec: SimulationSpec,
    *,
    workspace: Path,
    actor: str,
    ground_truth: Path | None = None,
    enforcers: EnforcerPool | None = None,
    plan: TrafficPlan | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationReport:
    """Save SIMULATED items, decide them under the current deployments, record features.

    Args:
        store: The store (something must be deployed: `modgate deploy`).
        spec: The model, source and scenarios.
        workspace: Workspace root (enforcer artifacts).
        actor: Who runs it (audit of the item import).
        ground_truth: Where to write the ground-truth JSON (what was injected where, when).
        enforcers: Loaded enforcers (default: a new pool).
        plan: A plan made before (default: `prepare_plan(spec)`).
        progress: Called with the number of items decided after each hour.

    Returns:
        The report.

    Raises:
        DeploymentError: Nothing is deployed, or a model regression names a policy without a
            canary.
        ValidationError: A bad source or scenario.
    """
    plan = plan or prepare_plan(spec)
    snapshot = load_deployment_snapshot(store)
    if not snapshot.deployments:
        raise DeploymentError("nothing is deployed: deploy an enforcer before simulating")
    pool: EnforcerPool = enforcers or EnforcerPool(store, workspace)
    regressions = [s for s in spec.scenarios if isinstance(s, ModelRegression)]
    if regressions:
        refs: set[str] = set()
        flipped: set[str] = set()
        for s in regressions:
            flipped |= {p.item.id for p in plan.items if in_regression(p, s, spec.model.seed)}
            if s.deploy is not None:
                refs.add(s.deploy)
                continue
            dep = next(
                (
                    d
                    for p, d in snapshot.deployments.items()
                    if p.split("@")[0] == s.policy.split("@")[0]
                ),
                None,
            )
            if dep is None or dep.state.canary is None:
                raise DeploymentError(
                    f"model regression: policy {s.policy!r} has no canary deployed"
                )
            refs.add(dep.state.canary.enforcer)
        pool = _RegressionPool(pool, refs, flipped)
    actions: Counter[str] = Counter()
    decided = featured = 0
    save_items(store, [p.item for p in plan.items], actor=actor, source=f"{SIMULATED} traffic")
    # deployments the scenarios make at their start: a policy change's new active version, a
    # regression's canary
    changes: list[tuple[datetime, str, str, float | None]] = sorted(
        [
            (s.start, s.enforcer, "active", None)
            for s in spec.scenarios
            if isinstance(s, PolicyChange)
        ]
        + [(s.start, s.deploy, "canary", s.canary_share) for s in regressions if s.deploy],
        key=lambda c: c[0],
    )
    batch: list[PlannedItem]
    for at, batch in batches_by_hour(plan):
        while changes and changes[0][0] <= at:
            when, ref, stage, share = changes.pop(0)
            deploy(
                store,
                ref,
                stage,
                actor=actor,
                share=share,
                force=True,
                reason=f"{SIMULATED} {'policy change' if stage == 'active' else 'canary'} "
                "(modgate simulate)",
                now=when,
            )
            snapshot = load_deployment_snapshot(store)
        made = _decide(store, snapshot, [p.item for p in batch], enforcers=pool, now=at)
        actions.update(d.action.value for d in made)
        decided += len(made)
        featured += _featured(store, [d.decision_id for d in made])
        if progress is not None:
            progress(decided)
    if ground_truth is not None:
        ground_truth.parent.mkdir(parents=True, exist_ok=True)
        ground_truth.write_text(json.dumps(plan.ground_truth, indent=1, default=str), "utf-8")
    return SimulationReport(
        items=len(plan.items),
        decisions=decided,
        featured=featured,
        actions=dict(sorted(actions.items())),
        communities=len({p.item.community for p in plan.items}),
        scenarios={e["scenario"]: len(e["item_ids"]) for e in plan.ground_truth["scenarios"]},
        ground_truth=str(ground_truth) if ground_truth is not None else None,
    )


__all__ = ["SimulationReport", "load_simulation_file", "prepare_plan", "run_simulation"]
