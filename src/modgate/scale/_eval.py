"""Eval runs whose scoring runs on a Dask cluster (`modgate eval run … --engine dask`).

An eval run reuses the verdicts an enforcer version stored on the items' current content and
scores only the rest. On the cluster, "the rest" is scored by `score_items_distributed` — the
same partitioned, idempotent path as `enforcer score --engine dask` — so the verdicts land in the
store first and the run then reads them back like any stored verdict. The figures are computed by
the one eval library in the driver: a run on the cluster and a run in-process over the same
verdicts are the same run.

An item whose stored verdict predates its current content is not re-scored on the cluster
(`score_items_distributed` never overwrites a stored verdict); the eval library scores those few
in the driver, as it does without a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.domain import Verdict
from modgate.enforce import Enforcer, get_enforcer_version
from modgate.errors import ValidationError
from modgate.evaluate import (
    EnforcerRef,
    EvalRun,
    EvalSources,
    FigureConfig,
    GoldenExample,
    GoldenRef,
    run_eval_from_sources,
)
from modgate.scale._backfill import (
    DEFAULT_PARTITION_SIZE,
    DistributedScoreResult,
    score_items_distributed,
)
from modgate.store import Store

ProgressFactory = Callable[[str, int], Callable[[int], None]]
"""Given an enforcer ref and the number of items to score, a callback for finished items."""


class DistributedEvalResult(BaseModel):
    """An eval run and what its scoring on the cluster did, per enforcer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run: EvalRun
    """The stored eval run (figures computed in the driver from stored verdicts)."""
    scoring: tuple[DistributedScoreResult, ...]
    """One entry per enforcer that had items to score on the cluster."""


@dataclass
class ClusterScoringSources:
    """`EvalSources` that score missing verdicts on a Dask cluster before handing them back.

    `golden` and `enforcer` are the wrapped sources'; `stored_verdicts` first stores a verdict
    for every example lacking one (on the cluster), then reads them back.
    """

    inner: EvalSources
    store: Store
    workspace: Path
    client: Any
    partition_size: int = DEFAULT_PARTITION_SIZE
    batch_size: int = 1000
    max_concurrent: int | None = None
    progress: ProgressFactory | None = None
    scoring: list[DistributedScoreResult] = field(default_factory=list)

    def golden(
        self, ref: str, split: str, *, policy: str | None = None, on_changed: str = "error"
    ) -> tuple[GoldenRef, list[GoldenExample]]:
        """The wrapped sources' golden version and examples."""
        return self.inner.golden(ref, split, policy=policy, on_changed=on_changed)

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        """The wrapped sources' enforcer (the driver's fallback for stale verdicts)."""
        return self.inner.enforcer(ref)

    def stored_verdicts(
        self, enforcer: EnforcerRef, examples: Sequence[GoldenExample]
    ) -> dict[str, Verdict]:
        """Stored verdicts of `enforcer` on `examples`, after scoring the missing on the cluster.

        Raises:
            ValidationError: The catalog's version of the ref is not the one being evaluated.
        """
        found = self.inner.stored_verdicts(enforcer, examples)
        missing = [e.item.id for e in examples if e.item.id not in found]
        if not missing:
            return found
        version = get_enforcer_version(self.store, enforcer.ref)
        if version.version_hash != enforcer.version_hash:
            raise ValidationError(
                f"{enforcer.ref} in the catalog has hash {version.version_hash[:12]}…, "
                f"not the {enforcer.version_hash[:12]}… being evaluated"
            )
        progress = self.progress(version.ref, len(missing)) if self.progress else None
        self.scoring.append(
            score_items_distributed(
                self.store,
                version,
                missing,
                workspace=self.workspace,
                client=self.client,
                partition_size=self.partition_size,
                batch_size=self.batch_size,
                max_concurrent=self.max_concurrent,
                progress=progress,
            )
        )
        return self.inner.stored_verdicts(enforcer, examples)


def run_eval_distributed(
    store: Store,
    sources: EvalSources,
    enforcer_ref: str | Sequence[str],
    golden_ref: str,
    *,
    actor: str,
    workspace: Path,
    client: Any,
    split: str = "test",
    config: FigureConfig | None = None,
    on_changed: str = "error",
    partition_size: int = DEFAULT_PARTITION_SIZE,
    batch_size: int = 1000,
    max_concurrent: int | None = None,
    progress: ProgressFactory | None = None,
) -> DistributedEvalResult:
    """`modgate eval run … --engine dask`: score on the cluster, compute the run here.

    Args:
        store: The store (workers must reach the same database).
        sources: Resolves the names (`modgate.evaluate.eval_sources`).
        enforcer_ref: One enforcer, or one per policy for a multi-policy run.
        golden_ref: The frozen golden version `NAME@VERSION`.
        actor: Who ran it (audit).
        workspace: Workspace root, seen by the workers at the same path.
        client: A `distributed.Client` (`modgate.scale.dask_client`).
        split: Split to score.
        config: Figure configuration (intervals, minimum support).
        on_changed: Items changed since the freeze: "error" or "skip".
        partition_size: Items per task.
        batch_size: Items per `predict` call inside a task.
        max_concurrent: Cluster-wide bound on concurrent `predict` calls (an LLM's rate limit).
        progress: Progress callbacks per enforcer (one bar across all workers).

    Returns:
        The eval run and the cluster scoring figures.
    """
    wrapped = ClusterScoringSources(
        inner=sources,
        store=store,
        workspace=workspace,
        client=client,
        partition_size=partition_size,
        batch_size=batch_size,
        max_concurrent=max_concurrent,
        progress=progress,
    )
    run = run_eval_from_sources(
        store,
        wrapped,
        enforcer_ref,
        golden_ref,
        actor=actor,
        split=split,
        config=config,
        on_changed=on_changed,
    )
    return DistributedEvalResult(run=run, scoring=tuple(wrapped.scoring))


__all__ = ["ClusterScoringSources", "DistributedEvalResult", "run_eval_distributed"]
