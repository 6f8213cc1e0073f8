"""`run_redteam`: attack an enforcer version on a frozen golden split; store figures and report.

Storage: the clean scoring is stored as an ordinary eval run (per-item predictions, figures)
whose reported figures carry the overall rates (`redteam_attack_success:<family>` …), so a
gate file can cap them with the same `gate check` on that run; the full report (every scope,
the examples, the perturbation specs and seed) goes to the `redteam_runs` table.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from modgate.errors import ValidationError
from modgate.evaluate import EvalSources, FigureConfig, IntervalConfig, run_eval
from modgate.redteam._attack import attack_enforcer, predict_checked
from modgate.redteam._builtin import LLM_PERTURBATIONS
from modgate.redteam._compose import create_perturbation
from modgate.redteam._perturbation import FAMILIES, Perturbation, PerturbationSpec
from modgate.redteam._repo import insert_redteam_run
from modgate.redteam._report import AttackExample, RedteamReport
from modgate.redteam._robustness import cheapest_attacks, compute_robustness
from modgate.registry import Registry, create_registry
from modgate.store import Store


def resolve_perturbations(
    selection: Sequence[str | PerturbationSpec] | None,
    registry: Registry,
    *,
    llm: Mapping[str, Any] | None = None,
) -> list[Perturbation]:
    """Build the perturbations a run tries.

    Args:
        selection: Registered names, family names (`normalized`, `held_out`, `llm`: every
            registered perturbation of that family), or specs. None: every registered
            perturbation that needs no LLM endpoint.
        registry: Where names are looked up.
        llm: Parameters of the `llm_…` perturbations named by name or family (`model`, and
            `base_url` unless `MODGATE_LLM_BASE_URL` is set).

    Raises:
        RegistryError: An unknown name.
        ValidationError: An `llm_…` perturbation named without `llm` parameters.
        ConfigError: An `llm_…` perturbation without a configured endpoint.
    """
    names = registry.names("perturbation")

    def build(name: str) -> Perturbation:
        if name in LLM_PERTURBATIONS:
            if not llm or "model" not in llm:
                raise ValidationError(
                    f"{name} needs an LLM endpoint and model",
                    hint="pass --llm-model (and --llm-base-url or set MODGATE_LLM_BASE_URL)",
                )
            return create_perturbation(PerturbationSpec(name=name, params=dict(llm)), registry)
        return create_perturbation(PerturbationSpec(name=name), registry)

    if selection is None:
        selection = [n for n in names if n not in LLM_PERTURBATIONS]
    out: list[Perturbation] = []
    for entry in selection:
        if isinstance(entry, PerturbationSpec):
            out.append(create_perturbation(entry, registry))
        elif entry in FAMILIES:
            for name in names:
                if name in LLM_PERTURBATIONS and entry != "llm":
                    continue
                if entry == "llm" and name not in LLM_PERTURBATIONS:
                    continue
                built = build(name)
                if built.family == entry:
                    out.append(built)
        else:
            out.append(build(entry))
    if not out:
        raise ValidationError("no perturbation selected")
    return out


def run_redteam(
    store: Store,
    sources: EvalSources,
    enforcer_ref: str,
    golden_ref: str,
    *,
    actor: str,
    perturbations: Sequence[str | PerturbationSpec] | None = None,
    budget: int = 1,
    seed: int = 0,
    split: str = "test",
    confidence: float = 0.95,
    examples: int = 10,
    registry: Registry | None = None,
    llm: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> RedteamReport:
    """`modgate redteam run ENFORCER@V GOLDEN@VERSION`: attack, measure, store, report.

    Args:
        store: The store.
        sources: Resolves the enforcer and golden names (`modgate.cli` passes the store's).
        enforcer_ref: `NAME@VERSION` (or `NAME`: the latest version).
        golden_ref: Frozen golden `NAME@VERSION`.
        actor: Who runs it (audit).
        perturbations: Names, family names or specs (default: every non-LLM perturbation).
        budget: Attempts per item and perturbation (different seeds); an item stops at its
            first success.
        seed: Seed of every perturbation.
        split: Golden split attacked.
        confidence: Interval confidence.
        examples: How many of the cheapest successful attacks the report keeps.
        registry: Where perturbations are looked up (default: installed plugins).
        llm: Parameters of `llm_…` perturbations (`model`, `base_url`, …).
        now: Run time (default: now).

    Returns:
        The stored report; `report.summary_lines()` for a terminal.

    Raises:
        NotFoundError: Unknown enforcer or golden version.
        ValidationError: The enforcer cannot run here (red-teaming needs live scoring), the
            split is empty, or the budget is below 1.
    """
    if budget < 1:
        raise ValidationError(f"budget must be at least 1 attempt, got {budget}")
    registry = registry or create_registry()
    chosen = resolve_perturbations(perturbations, registry, llm=llm)
    golden, golden_examples = sources.golden(golden_ref, split)
    if not golden_examples:
        raise ValidationError(f"{golden.ref} split {split!r} has no items to attack")
    enforcer, predictor = sources.enforcer(enforcer_ref)
    if predictor is None:
        raise ValidationError(
            f"{enforcer.ref} cannot score here, and red-teaming needs live scoring of the "
            "perturbed texts",
            hint="run it in the workspace that holds the enforcer's artifact and kind",
        )
    clean = predict_checked(predictor, [e.item for e in golden_examples], 2000)
    outcomes = attack_enforcer(
        predictor, golden_examples, chosen, clean=clean, budget=budget, seed=seed
    )
    figures = compute_robustness(outcomes, confidence=confidence)
    created = now or datetime.now(UTC)
    eval_run = run_eval(
        store,
        enforcer=enforcer,
        golden=golden,
        examples=golden_examples,
        actor=actor,
        stored_verdicts={v.item_id: v for v in clean},
        config=FigureConfig(intervals=IntervalConfig(confidence=confidence, seed=seed)),
        reported={**figures.flat(), "redteam_budget": float(budget)},
        now=created,
    )
    caught = {o.item_id for o in outcomes if o.gold}
    passed = {o.item_id for o in outcomes if not o.gold}
    report = RedteamReport(
        id=f"redteam-{uuid.uuid4().hex[:12]}",
        enforcer=enforcer.ref,
        enforcer_version_hash=enforcer.version_hash,
        policy=enforcer.policy,
        golden=golden.ref,
        golden_hash=golden.content_hash,
        split=split,
        eval_run_id=eval_run.id,
        perturbations=tuple(p.spec for p in chosen),
        budget=budget,
        seed=seed,
        n_items=len(golden_examples),
        n_caught=len(caught),
        n_passed=len(passed),
        figures=figures,
        examples=tuple(AttackExample.from_outcome(o) for o in cheapest_attacks(outcomes, examples)),
        created_at=created,
        created_by=actor,
    )
    with store.begin() as conn:
        insert_redteam_run(conn, report)
    return report


__all__ = ["resolve_perturbations", "run_redteam"]
