"""`run_eval`: score a frozen golden split with an enforcer version, store predictions + figures.

The golden examples and the enforcer come in as typed values (`GoldenRef` + `GoldenExample`s,
`EnforcerRef` + an `Enforcer`), so this module does not depend on how the golden and enforce
packages store them; `EvalSources` is the seam through which the CLI resolves
`ENFORCER` and `GOLDEN@VERSION` names into those values.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item, Verdict, VersionRef
from modgate.enforce import (
    Enforcer,
    RegisterResult,
    get_enforcer_version,
    register_enforcer,
    run_stats_of,
)
from modgate.errors import ConflictError, EnforcerError, NotFoundError, ValidationError
from modgate.evaluate._compare import ComparisonReport, compare_predictions
from modgate.evaluate._errors import ErrorCluster, error_clusters
from modgate.evaluate._figures import EvalFigures, FigureConfig, compute_eval_figures
from modgate.evaluate._predictions import PredictionRecord, PredictionTable
from modgate.evaluate._repo import (
    EvalRun,
    RunComponent,
    get_eval_run,
    insert_eval_run,
    load_item_states,
    load_predictions,
)
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
    left_out_changed: tuple[str, ...] = ()
    """Items of the split left out because their stored content changed since the freeze."""

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
    raters: int | None = Field(default=None, ge=0)
    """Number of ratings behind the gold label, when known (1: a single rating)."""
    policy: str | None = None
    """Policy (`id` or `id@version`) the gold label is about; None when unknown."""
    frozen_hash: str | None = None
    """Content hash of the item frozen with the golden version."""
    content_since: datetime | None = None
    """When the stored item's current content was written: a stored verdict older than this
    was computed on other content and is not reused."""


class EvalSources(Protocol):
    """Resolves names given on the command line into what `run_eval` needs."""

    def golden(
        self, ref: str, split: str, *, policy: str | None = None, on_changed: str = "error"
    ) -> tuple[GoldenRef, list[GoldenExample]]:
        """The frozen golden version `NAME@VERSION` and the examples of its split.

        With `policy`, only that policy's rows (an error listing the policies present when
        there is none); `on_changed` says what to do with items changed since the freeze.
        """
        ...

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        """The enforcer version `NAME[@VERSION]` and, when it can run here, the enforcer."""
        ...

    def stored_verdicts(
        self, enforcer: EnforcerRef, examples: Sequence[GoldenExample]
    ) -> dict[str, Verdict]:
        """Verdicts this enforcer version stored for these items on their current content."""
        ...


def policy_id(policy: str | None) -> str | None:
    """`id` of `id@version` (None stays None)."""
    return None if policy is None else policy.split("@", 1)[0]


def policies_present(examples: Sequence[GoldenExample]) -> list[str]:
    """Sorted policy ids of the examples (unknown policies left out)."""
    return sorted({p for e in examples if (p := policy_id(e.policy)) is not None})


def select_policy_rows(
    examples: Sequence[GoldenExample], policy: str | None, *, where: str
) -> list[GoldenExample]:
    """The examples of one policy: an enforcer is evaluated only on its policy's rows.

    Examples whose policy is unknown are kept (nothing to filter on).

    Raises:
        ValidationError: No example of that policy; the message lists the policies present.
    """
    wanted = policy_id(policy)
    if wanted is None:
        return list(examples)
    chosen = [e for e in examples if policy_id(e.policy) in (None, wanted)]
    if not chosen and examples:
        present = ", ".join(policies_present(examples)) or "none"
        raise ValidationError(
            f"{where} has no row of policy {wanted!r} (it has: {present})",
            hint="evaluate an enforcer of one of those policies, or pass one enforcer per policy",
        )
    return chosen


@dataclass(frozen=True)
class EvalPart:
    """One enforcer of a run with the rows of its policy."""

    enforcer: EnforcerRef
    """The enforcer version."""
    examples: Sequence[GoldenExample]
    """The rows of its policy."""
    predictor: Enforcer | None = None
    """The enforcer, to score items without a reusable stored verdict."""
    stored_verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    """Verdicts it already stored on the items' current content, by item id."""


_SUMMED = (
    "items", "cache_hits", "calls", "attempts", "call_errors", "parse_failures", "errors",
    "rerun_sample", "prompt_tokens", "completion_tokens", "cost", "injection_flagged",
    "injection_second_judgements", "injection_routed_to_review", "injection_review_capped",
)  # fmt: skip


def add_run_stats(totals: dict[str, float], stats: object) -> None:
    """Add the statistics an enforcer exposes after `predict` to running totals.

    Read through `run_stats_of` (`ReportsRunStats`: the LLM judge's `LLMRunStats`), so any enforcer
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
            raters=example.raters,
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
        stats = run_stats_of(enforcer)
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
    Examples of another policy than the enforcer's are refused: an enforcer is evaluated only
    on its policy's rows (`select_policy_rows` picks them).

    Args:
        store: Where the run is stored.
        enforcer: The enforcer version.
        golden: The frozen golden version and split.
        examples: The split's examples of the enforcer's policy.
        actor: Who runs it (audit).
        predictor: The enforcer, to score items with no stored verdict.
        stored_verdicts: Verdicts already stored (on the items' current content), by item id.
        config: Figure settings.
        reported: Reliability figures the enforcer reported (kept with the run).
        batch_size: Items per `predict` call and per write.
        guess_language: Identify the language of items that have none, for the `language`
            slice (about 40 µs per text).
        now: Creation time (default: now).

    Returns:
        The stored run.

    Raises:
        ValidationError: The split is empty, holds rows of another policy, or items lack a
            verdict and no predictor is given.
        EnforcerError: The predictor broke the batch contract.
    """
    part = EvalPart(
        enforcer=enforcer,
        examples=examples,
        predictor=predictor,
        stored_verdicts=stored_verdicts or {},
    )
    return run_eval_parts(
        store, golden=golden, parts=[part], actor=actor, config=config, reported=reported,
        batch_size=batch_size, guess_language=guess_language, now=now,
    )  # fmt: skip


POOLED_RANKING_NOTE = (
    "scores of {n} enforcers pooled: they share no scale, see the figures per policy"
)


def _check_part(part: EvalPart, golden: GoldenRef) -> None:
    if not part.examples:
        raise ValidationError(
            f"{golden.ref} split {golden.split!r} has no items of policy "
            f"{policy_id(part.enforcer.policy)!r} to evaluate"
        )
    wanted = policy_id(part.enforcer.policy)
    if wanted is None:
        return
    foreign = sorted({p for e in part.examples if (p := policy_id(e.policy)) not in (None, wanted)})
    if foreign:
        raise ValidationError(
            f"{part.enforcer.ref} enforces {wanted!r} but was given rows of {foreign}: an "
            "enforcer is evaluated only on its policy's rows"
        )


def _combined_ref(parts: Sequence[EvalPart]) -> tuple[str, str]:
    if len(parts) == 1:
        return parts[0].enforcer.ref, parts[0].enforcer.version_hash
    digest = hashlib.sha256()
    for part in sorted(parts, key=lambda p: p.enforcer.ref):
        digest.update(f"{part.enforcer.ref}={part.enforcer.version_hash}\n".encode())
    return "+".join(p.enforcer.ref for p in parts), digest.hexdigest()


def run_eval_parts(
    store: Store,
    *,
    golden: GoldenRef,
    parts: Sequence[EvalPart],
    actor: str,
    config: FigureConfig | None = None,
    reported: Mapping[str, float] | None = None,
    batch_size: int = 5000,
    guess_language: bool = True,
    now: datetime | None = None,
) -> EvalRun:
    """Evaluate one enforcer per policy on a multi-policy golden split as one stored run.

    Each enforcer scores only its own policy's rows. The run's figures cover every row (count
    figures: each row judged by its policy's enforcer); ranking figures over pooled scores of
    several enforcers are n/a (their scores share no scale). `figures.by_policy` holds every
    figure of each policy's rows alone.

    Raises:
        ValidationError: No part, two parts of one policy, a part without rows or with rows
            of another policy, or items lacking a verdict and a predictor.
        EnforcerError: A predictor broke the batch contract.
    """
    if not parts:
        raise ValidationError("an eval run needs at least one enforcer")
    seen = [policy_id(p.enforcer.policy) for p in parts]
    if len(parts) > 1 and (None in seen or len(set(seen)) != len(seen)):
        raise ValidationError(
            f"a multi-policy run needs one enforcer per policy, got policies {seen}"
        )
    cfg = config or FigureConfig()
    records: list[PredictionRecord] = []
    per_part: list[tuple[EvalPart, list[PredictionRecord], dict[str, float]]] = []
    measured_all: dict[str, float] = {}
    for part in parts:
        _check_part(part, golden)
        measured: dict[str, float] = {}
        verdicts = _verdicts_for(
            part.examples, part.stored_verdicts, part.predictor, part.enforcer, batch_size,
            measured,
        )  # fmt: skip
        for key, value in measured.items():
            measured_all[key] = measured_all.get(key, 0.0) + value
        part_records = [
            prediction_record(
                e, verdicts[e.item.id], policy=part.enforcer.policy, guess_language=guess_language
            )
            for e in part.examples
        ]
        records.extend(part_records)
        per_part.append((part, part_records, measured))
    extra = dict(reported or {})
    multi = len(parts) > 1
    figures = compute_eval_figures(
        PredictionTable.from_records(records),
        cfg,
        reported={**finish_run_stats(measured_all), **extra},
        pooled_ranking_note=POOLED_RANKING_NOTE.format(n=len(parts)) if multi else None,
    )
    if multi:
        by_policy = {
            policy_id(part.enforcer.policy) or part.enforcer.ref: compute_eval_figures(
                PredictionTable.from_records(part_records), cfg, reported=finish_run_stats(m)
            )
            for part, part_records, m in per_part
        }
        figures = figures.model_copy(update={"by_policy": by_policy})
    enforcer_ref, version_hash = _combined_ref(parts)
    run = EvalRun(
        id=new_run_id(),
        enforcer=enforcer_ref,
        enforcer_version_hash=version_hash,
        policy=None if multi else parts[0].enforcer.policy,
        golden=golden.ref,
        golden_hash=golden.content_hash,
        split=golden.split,
        n_items=len(records),
        created_at=now or datetime.now(UTC),
        created_by=actor,
        figures=figures,
        components=tuple(
            RunComponent(
                enforcer=part.enforcer.ref,
                enforcer_version_hash=part.enforcer.version_hash,
                policy=part.enforcer.policy,
                n_items=len(part_records),
            )
            for part, part_records, _ in per_part
        )
        if multi
        else (),
        left_out_changed=golden.left_out_changed,
    )
    with store.begin() as conn:
        insert_eval_run(conn, run, records, batch_size=batch_size)
    return run


def run_eval_from_sources(
    store: Store,
    sources: EvalSources,
    enforcer_ref: str | Sequence[str],
    golden_ref: str,
    *,
    actor: str,
    split: str = "test",
    config: FigureConfig | None = None,
    on_changed: str = "error",
) -> EvalRun:
    """`modgate eval run ENFORCER... GOLDEN@VERSION`: resolve the names, then evaluate.

    One enforcer is evaluated on its policy's rows only; several enforcers (one per policy)
    make one multi-policy run (`run_eval_parts`).

    Raises:
        ValidationError: The version has no row of an enforcer's policy (the message lists
            the policies it has), or items changed since the freeze (`on_changed="error"`).
    """
    refs = [enforcer_ref] if isinstance(enforcer_ref, str) else list(enforcer_ref)
    parts: list[EvalPart] = []
    golden: GoldenRef | None = None
    left_out: set[str] = set()
    for ref_ in refs:
        enforcer, predictor = sources.enforcer(ref_)
        golden, examples = sources.golden(
            golden_ref, split, policy=enforcer.policy, on_changed=on_changed
        )
        left_out.update(golden.left_out_changed)
        stored = sources.stored_verdicts(enforcer, examples)
        parts.append(EvalPart(enforcer, examples, predictor, stored))
    assert golden is not None
    golden = golden.model_copy(update={"left_out_changed": tuple(sorted(left_out))})
    return run_eval_parts(store, golden=golden, parts=parts, actor=actor, config=config)


def _policy_table(run: EvalRun, table: PredictionTable, policy: str | None) -> PredictionTable:
    """The run's predictions of one policy (all of them for a one-policy run without `policy`).

    Raises:
        ValidationError: A multi-policy run without `policy`, or a policy the run lacks.
    """
    policies = run.policies
    wanted = policy_id(policy)
    if wanted is None:
        if len(policies) > 1:
            raise ValidationError(
                f"{run.id} holds several policies ({', '.join(policies)}): name one with "
                "--policy (scores and thresholds are per enforcer)"
            )
        return table
    if policies and wanted not in policies:
        raise ValidationError(f"{run.id} has no rows of policy {wanted!r} (it has: "
                              f"{', '.join(policies)})")  # fmt: skip
    if len(policies) <= 1:
        return table
    rows = [i for i, v in enumerate(table.slices.get("policy", [])) if wanted in v]
    return table.subset(np.asarray(rows, dtype=np.int64))


def run_figures(run: EvalRun, policy: str | None = None) -> EvalFigures:
    """The figures gates and reports read: the run's, or one policy's of a multi-policy run.

    Raises:
        ValidationError: A multi-policy run without `policy`, or a policy the run lacks.
    """
    wanted = policy_id(policy)
    policies = run.policies
    if len(policies) <= 1:
        if wanted is not None and policies and wanted not in policies:
            raise ValidationError(f"{run.id} has no rows of policy {wanted!r} (it has: "
                                  f"{', '.join(policies)})")  # fmt: skip
        return run.figures
    if wanted is None or wanted not in run.figures.by_policy:
        raise ValidationError(
            f"{run.id} holds several policies ({', '.join(policies)}): name one with --policy"
        )
    return run.figures.by_policy[wanted]


def run_component(run: EvalRun, policy: str | None = None) -> RunComponent:
    """The enforcer of `policy` in a run (the run's only enforcer for a one-policy run)."""
    if not run.components:
        return RunComponent(
            enforcer=run.enforcer, enforcer_version_hash=run.enforcer_version_hash,
            policy=run.policy, n_items=run.n_items,
        )  # fmt: skip
    run_figures(run, policy)  # raises with the policies listed
    wanted = policy_id(policy)
    return next(c for c in run.components if policy_id(c.policy) == wanted)


def compare_runs(
    store: Store,
    run_a: str,
    run_b: str,
    *,
    config: FigureConfig | None = None,
    target_slices: Sequence[str] = (),
    flip_limit: int = 200,
    policy: str | None = None,
) -> ComparisonReport:
    """Compare two stored runs on the same frozen golden version, item by item.

    Runs of several policies are compared one policy at a time (`policy`).

    Raises:
        NotFoundError: A run does not exist.
        ConflictError: The runs were computed on different golden versions or policies.
        ValidationError: Multi-policy runs without `policy`.
    """
    first, second = get_eval_run(store, run_a), get_eval_run(store, run_b)
    if first.golden_hash != second.golden_hash or first.split != second.split:
        raise ConflictError(
            f"{run_a} ({first.golden} {first.split}) and {run_b} ({second.golden} "
            f"{second.split}) were computed on different golden versions; a paired "
            "comparison needs the same frozen version and split"
        )
    wanted = policy_id(policy)
    a_policies, b_policies = set(first.policies), set(second.policies)
    if wanted is None and a_policies != b_policies:
        raise ConflictError(
            f"{run_a} is about {sorted(a_policies)} and {run_b} about {sorted(b_policies)}: "
            "a paired comparison needs the same policy's rows"
        )
    table_a = _policy_table(first, PredictionTable.from_records(load_predictions(store, run_a)),
                            policy)  # fmt: skip
    table_b = _policy_table(second, PredictionTable.from_records(load_predictions(store, run_b)),
                            policy)  # fmt: skip
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
    "POOLED_RANKING_NOTE",
    "EnforcerRef",
    "EvalPart",
    "EvalSources",
    "policies_present",
    "policy_id",
    "run_component",
    "run_error_clusters",
    "run_eval_parts",
    "run_figures",
    "select_policy_rows",
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


def run_error_clusters(
    store: Store, run_id: str, *, max_clusters: int = 5, examples: int = 3
) -> list[ErrorCluster]:
    """The false positives and false negatives of a stored run, grouped into clusters.

    Texts are the stored items' (`error_clusters` explains the grouping).

    Raises:
        NotFoundError: No such run.
    """
    table = PredictionTable.from_records(load_predictions(store, run_id))
    states = load_item_states(store, table.item_ids)
    texts = {item_id: state.item.text for item_id, state in states.items()}
    return error_clusters(table, texts, max_clusters=max_clusters, examples=examples)


def tune_run_thresholds(
    store: Store,
    run_id: str,
    target: ThresholdTarget,
    *,
    per_community: bool = False,
    min_support: int = 30,
    action: str = "remove",
    policy: str | None = None,
) -> ThresholdPlan:
    """Tune an action threshold on a stored run's predictions (see `tune_thresholds`).

    Thresholds belong to one enforcer: on a multi-policy run name the policy whose rows
    (and enforcer) to tune.

    Raises:
        NotFoundError: No such run.
        ValidationError: A multi-policy run without `policy`, or a policy it lacks.
    """
    run = get_eval_run(store, run_id)
    table = _policy_table(
        run, PredictionTable.from_records(load_predictions(store, run_id)), policy
    )
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
    store: Store,
    run_id: str,
    plan: ThresholdPlan,
    *,
    workspace: Path,
    actor: str,
    policy: str | None = None,
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
    current = get_enforcer_version(store, run_component(run, policy).enforcer)
    spec = current.spec.model_copy(
        update={"thresholds": apply_threshold_plan(current.spec.thresholds, plan), "version": None}
    )
    return register_enforcer(store, spec, workspace=workspace, actor=actor)
