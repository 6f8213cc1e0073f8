"""`run_eval`: score a frozen golden split with an enforcer version, store predictions + figures.

The golden examples and the enforcer come in as typed values (`GoldenRef` + `GoldenExample`s,
`EnforcerRef` + an `Enforcer`), so this module does not depend on how the golden and enforce
packages store them; `EvalSources` is the seam through which the CLI resolves
`ENFORCER` and `GOLDEN@VERSION` names into those values.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item, Verdict, VersionRef
from modgate.enforce import Enforcer, RegisterResult, get_enforcer_version, register_enforcer
from modgate.errors import ConflictError, EnforcerError, NotFoundError, ValidationError
from modgate.evaluate._compare import ComparisonReport, compare_predictions
from modgate.evaluate._figures import FigureConfig, compute_eval_figures
from modgate.evaluate._predictions import PredictionRecord, PredictionTable
from modgate.evaluate._repo import EvalRun, get_eval_run, insert_eval_run, load_predictions
from modgate.evaluate._slices import slice_attributes
from modgate.evaluate._threshold_spec import apply_threshold_plan
from modgate.evaluate._thresholds import ThresholdPlan, ThresholdTarget, tune_thresholds
from modgate.store import Store, get_item
from modgate.text import identify_language


class EnforcerRef(BaseModel):
    """The enforcer version an eval run is bound to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Enforcer name."""
    version: int
    """Catalog version."""
    version_hash: str = Field(min_length=1)
    """Hash of spec + artifact + training data."""
    policy: str | None = None
    """`policy@version` it enforces."""

    @property
    def ref(self) -> str:
        """`name@version`."""
        return f"{self.name}@{self.version}"


class GoldenRef(BaseModel):
    """The frozen golden version (and split) an eval run is bound to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Golden set name."""
    version: int
    """Frozen version number."""
    content_hash: str = Field(min_length=1)
    """Content hash of the frozen version."""
    split: str = "test"
    """Split scored."""

    @property
    def ref(self) -> str:
        """`name@version`."""
        return f"{self.name}@{self.version}"


class GoldenExample(BaseModel):
    """One item of a frozen golden split with its gold label and slice attributes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: Item
    """The item."""
    gold: bool
    """Gold label: True for violating."""
    gold_criteria: tuple[str, ...] = ()
    """Criteria ids of the gold label."""
    allowed_context: tuple[str, ...] = ()
    """Allowed-context ids (counter-speech, quotation, news…) that make it non-violating."""
    tags: tuple[str, ...] = ()
    """Edge-case tags."""
    agreement: float | None = Field(default=None, ge=0.0, le=1.0)
    """Share of annotators behind the gold label."""


class EvalSources(Protocol):
    """Resolves names given on the command line into what `run_eval` needs."""

    def golden(self, ref: str, split: str) -> tuple[GoldenRef, list[GoldenExample]]:
        """The frozen golden version `NAME@VERSION` and the examples of its split."""
        ...

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        """The enforcer version `NAME[@VERSION]` and, when it can run here, the enforcer."""
        ...

    def stored_verdicts(self, enforcer: EnforcerRef, item_ids: Sequence[str]) -> dict[str, Verdict]:
        """Verdicts this enforcer version already stored for these items."""
        ...


_SUMMED = (
    "items", "cache_hits", "calls", "attempts", "call_errors", "parse_failures", "errors",
    "rerun_sample", "prompt_tokens", "completion_tokens", "cost", "injection_flagged",
    "injection_second_judgements", "injection_routed_to_review", "injection_review_capped",
)  # fmt: skip


def add_run_stats(totals: dict[str, float], stats: object) -> None:
    """Add the statistics an enforcer exposes after `predict` to running totals.

    Read by duck typing from `last_run_stats` (the LLM judge's `LLMRunStats`), so any enforcer
    may offer them; counts are summed under `llm_<name>`.
    """
    for name in _SUMMED:
        value = getattr(stats, name, None)
        if isinstance(value, int | float):
            totals[f"llm_{name}"] = totals.get(f"llm_{name}", 0.0) + float(value)
    sample = getattr(stats, "rerun_sample", 0) or 0
    agreement = getattr(stats, "rerun_agreement", None)
    if isinstance(agreement, int | float) and sample:
        totals["_agree"] = totals.get("_agree", 0.0) + float(agreement) * sample


def finish_run_stats(totals: dict[str, float]) -> dict[str, float]:
    """Turn running totals into the reported figures (rates from their counts)."""
    out = {k: v for k, v in totals.items() if not k.startswith("_")}
    sample = totals.get("llm_rerun_sample", 0.0)
    if sample and "_agree" in totals:
        out["llm_rerun_agreement"] = totals["_agree"] / sample
    calls = totals.get("llm_calls", 0.0) - totals.get("llm_call_errors", 0.0)
    if "llm_parse_failures" in totals and calls > 0:
        out["llm_parse_failure_rate"] = totals["llm_parse_failures"] / calls
    return out


def new_run_id() -> str:
    """A fresh, short eval run id."""
    return f"run-{uuid.uuid4().hex[:12]}"


def prediction_record(
    example: GoldenExample,
    verdict: Verdict,
    *,
    policy: str | None = None,
    guess_language: bool = False,
) -> PredictionRecord:
    """Join a golden example and its verdict into a prediction record with slice attributes.

    Args:
        example: The golden example.
        verdict: The enforcer's verdict on it.
        policy: Policy for the `policy` slice (default: the verdict's).
        guess_language: When the item has no language, identify it from the text
            (`modgate.text.identify_language`) for the `language` slice.
    """
    item = example.item
    language = item.language
    if language is None and guess_language:
        language = identify_language(item.text).language
    return PredictionRecord(
        item_id=item.id,
        gold=example.gold,
        score=verdict.score,
        predicted=verdict.label == "violating",
        action=verdict.action,
        criteria=verdict.criteria,
        gold_criteria=example.gold_criteria,
        error=verdict.error,
        latency_ms=verdict.latency_ms,
        cost=verdict.cost,
        slices=slice_attributes(
            policy=VersionRef.name_of(policy or verdict.policy),
            community=item.community,
            gold_criteria=example.gold_criteria,
            allowed_context=example.allowed_context,
            tags=example.tags,
            language=language,
            text=item.text,
            agreement=example.agreement,
        ),
    )


def _verdicts_for(
    examples: Sequence[GoldenExample],
    stored: Mapping[str, Verdict],
    enforcer: Enforcer | None,
    ref: EnforcerRef,
    batch_size: int,
    reported: dict[str, float] | None = None,
) -> dict[str, Verdict]:
    found = {e.item.id: stored[e.item.id] for e in examples if e.item.id in stored}
    missing = [e.item for e in examples if e.item.id not in found]
    if missing and enforcer is None:
        shown = ", ".join(i.id for i in missing[:5])
        raise ValidationError(
            f"{ref.ref} has no stored verdict for {len(missing)} item(s) of the split "
            f"(e.g. {shown}) and cannot score them here",
            hint="score them first (`modgate enforcer score`) or register predictions for them",
        )
    for start in range(0, len(missing), batch_size):
        batch: list[Item] = missing[start : start + batch_size]
        verdicts = enforcer.predict(batch) if enforcer is not None else []
        stats = getattr(enforcer, "last_run_stats", None)
        if stats is not None and reported is not None:
            add_run_stats(reported, stats)
        if len(verdicts) != len(batch):
            raise EnforcerError(
                f"{ref.ref} returned {len(verdicts)} verdicts for {len(batch)} items"
            )
        for item, verdict in zip(batch, verdicts, strict=True):
            if verdict.item_id != item.id:
                raise EnforcerError(
                    f"{ref.ref} returned a verdict for {verdict.item_id!r} where "
                    f"{item.id!r} was expected (verdicts must keep the items' order)"
                )
            found[item.id] = verdict
    return found


def run_eval(
    store: Store,
    *,
    enforcer: EnforcerRef,
    golden: GoldenRef,
    examples: Sequence[GoldenExample],
    actor: str,
    predictor: Enforcer | None = None,
    stored_verdicts: Mapping[str, Verdict] | None = None,
    config: FigureConfig | None = None,
    reported: Mapping[str, float] | None = None,
    batch_size: int = 5000,
    guess_language: bool = True,
    now: datetime | None = None,
) -> EvalRun:
    """Evaluate an enforcer version on a frozen golden split and store the run.

    Stored verdicts are reused; items without one are scored by `predictor` in batches.

    Args:
        store: Where the run is stored.
        enforcer: The enforcer version.
        golden: The frozen golden version and split.
        examples: The split's examples.
        actor: Who runs it (audit).
        predictor: The enforcer, to score items with no stored verdict.
        stored_verdicts: Verdicts already stored, by item id.
        config: Figure settings.
        reported: Reliability figures the enforcer reported (kept with the run).
        batch_size: Items per `predict` call and per write.
        guess_language: Identify the language of items that have none, for the `language`
            slice (about 40 µs per text).
        now: Creation time (default: now).

    Returns:
        The stored run.

    Raises:
        ValidationError: The split is empty, or items lack a verdict and no predictor is given.
        EnforcerError: The predictor broke the batch contract.
    """
    if not examples:
        raise ValidationError(f"{golden.ref} split {golden.split!r} has no items to evaluate")
    measured: dict[str, float] = {}
    verdicts = _verdicts_for(
        examples, stored_verdicts or {}, predictor, enforcer, batch_size, measured
    )
    reported = {**finish_run_stats(measured), **(reported or {})}
    records = [
        prediction_record(
            e, verdicts[e.item.id], policy=enforcer.policy, guess_language=guess_language
        )
        for e in examples
    ]
    figures = compute_eval_figures(PredictionTable.from_records(records), config, reported=reported)
    run = EvalRun(
        id=new_run_id(),
        enforcer=enforcer.ref,
        enforcer_version_hash=enforcer.version_hash,
        policy=enforcer.policy,
        golden=golden.ref,
        golden_hash=golden.content_hash,
        split=golden.split,
        n_items=len(records),
        created_at=now or datetime.now(UTC),
        created_by=actor,
        figures=figures,
    )
    with store.begin() as conn:
        insert_eval_run(conn, run, records, batch_size=batch_size)
    return run


def run_eval_from_sources(
    store: Store,
    sources: EvalSources,
    enforcer_ref: str,
    golden_ref: str,
    *,
    actor: str,
    split: str = "test",
    config: FigureConfig | None = None,
) -> EvalRun:
    """`modgate eval run ENFORCER GOLDEN@VERSION`: resolve both names, then `run_eval`."""
    golden, examples = sources.golden(golden_ref, split)
    enforcer, predictor = sources.enforcer(enforcer_ref)
    stored = sources.stored_verdicts(enforcer, [e.item.id for e in examples])
    return run_eval(
        store,
        enforcer=enforcer,
        golden=golden,
        examples=examples,
        actor=actor,
        predictor=predictor,
        stored_verdicts=stored,
        config=config,
    )


def compare_runs(
    store: Store,
    run_a: str,
    run_b: str,
    *,
    config: FigureConfig | None = None,
    target_slices: Sequence[str] = (),
    flip_limit: int = 200,
) -> ComparisonReport:
    """Compare two stored runs on the same frozen golden version, item by item.

    Raises:
        NotFoundError: A run does not exist.
        ConflictError: The runs were computed on different golden versions.
    """
    first, second = get_eval_run(store, run_a), get_eval_run(store, run_b)
    if first.golden_hash != second.golden_hash or first.split != second.split:
        raise ConflictError(
            f"{run_a} ({first.golden} {first.split}) and {run_b} ({second.golden} "
            f"{second.split}) were computed on different golden versions; a paired "
            "comparison needs the same frozen version and split"
        )
    table_a = PredictionTable.from_records(load_predictions(store, run_a))
    table_b = PredictionTable.from_records(load_predictions(store, run_b))
    report = compare_predictions(
        table_a,
        table_b,
        config=config or first.figures.config,
        target_slices=target_slices,
        flip_limit=flip_limit,
        run_a=first.id,
        run_b=second.id,
    )
    texts = {}
    for flip in report.flipped:
        try:
            texts[flip.item_id] = get_item(store, flip.item_id).text
        except NotFoundError:  # an item missing from the store only loses its text
            continue
    return report.with_texts(texts)


__all__ = [
    "EnforcerRef",
    "EvalSources",
    "GoldenExample",
    "GoldenRef",
    "compare_runs",
    "new_run_id",
    "prediction_record",
    "run_eval",
    "run_eval_from_sources",
    "tune_run_thresholds",
    "write_threshold_version",
]


def tune_run_thresholds(
    store: Store,
    run_id: str,
    target: ThresholdTarget,
    *,
    per_community: bool = False,
    min_support: int = 30,
    action: str = "remove",
) -> ThresholdPlan:
    """Tune an action threshold on a stored run's predictions (see `tune_thresholds`).

    Raises:
        NotFoundError: No such run.
    """
    table = PredictionTable.from_records(load_predictions(store, run_id))
    communities: list[str | None] | None = None
    if per_community:
        communities = [row[0] if row else None for row in table.slices.get("community", [])]
        if not communities:
            communities = [None] * len(table)
    return tune_thresholds(
        table.gold,
        table.scores,
        target,
        communities=communities,
        min_support=min_support,
        action=action,
    )


def write_threshold_version(
    store: Store, run_id: str, plan: ThresholdPlan, *, workspace: Path, actor: str
) -> RegisterResult:
    """Register the run's enforcer with the plan's thresholds as a new catalog version.

    Thresholds belong to the enforcer (DESIGN.md), so tuning them makes a new, hashed version;
    spec, artifact and training data stay those of the evaluated version.

    Raises:
        NotFoundError: No such run, or its enforcer version is no longer in the catalog.
        ValidationError: The target was not reachable, so there is nothing to write.
    """
    run = get_eval_run(store, run_id)
    if plan.overall.threshold is None and not any(c.threshold for c in plan.communities):
        raise ValidationError(
            f"no threshold reaches {plan.target.metric} {plan.target.value:g}: nothing to write"
        )
    current = get_enforcer_version(store, run.enforcer)
    spec = current.spec.model_copy(
        update={"thresholds": apply_threshold_plan(current.spec.thresholds, plan), "version": None}
    )
    return register_enforcer(store, spec, workspace=workspace, actor=actor)
