"""Distributed scoring and backfills on Dask: partitions out, Parquet back, the driver writes.

The driver selects the items, skips those already scored by the version, splits the rest into
partitions and submits one task per partition (a JSON spec; see `_worker`). Each finished
partition's Parquet file is read by the driver and written to the store in one transaction
under the verdicts' unique key (COPY on PostgreSQL), so a partition that failed, was
pre-empted or ran twice (a worker lost mid-task is re-run by the scheduler) stores each
verdict exactly once, and a run stopped at any point resumes where it stopped. Only the
driver writes: SQLite never sees concurrent writers.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.enforce import (
    EnforcerVersion,
    get_enforcer_version,
    scored_item_ids,
    write_verdicts,
)
from modgate.errors import NotFoundError, ValidationError
from modgate.release import GateConfig, GateResult, current_deployment, evaluate_review_load
from modgate.scale._choices import DEFAULT_PARTITION_SIZE as DEFAULT_PARTITION_SIZE
from modgate.scale._engine import dask_client, distributed_module
from modgate.scale._exchange import read_verdicts_parquet
from modgate.scale._impact import ImpactReport, launch_impact
from modgate.scale._partitions import make_partitions
from modgate.scale._repo import action_counts, window_item_ids
from modgate.scale._worker import PartitionTask, score_partition
from modgate.store import Store, get_items


class DistributedScoreResult(BaseModel):
    """What a distributed scoring run did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enforcer: str
    """`name@version` that scored."""
    selected: int
    """Distinct items selected."""
    already_scored: int
    """Items skipped because a verdict of this version existed."""
    scored: int
    """Items whose verdicts this run wrote."""
    errors: int
    """Verdicts of this run with `error` set (routed to review)."""
    partitions: int
    """Partitions run."""
    workers: int
    """Workers of the cluster when the run started."""


class BackfillResult(BaseModel):
    """A backfill: the scoring run and the launch-impact report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scoring: DistributedScoreResult
    """The candidate's scoring run."""
    baseline_scoring: DistributedScoreResult | None
    """The baseline's run over the same items (its missing verdicts made; None: no baseline)."""
    impact: ImpactReport
    """Expected actions and review load against the baseline."""
    gate: tuple[GateResult, ...] = ()
    """The gate's review-load criteria checked on the impact (empty without a gate)."""

    @property
    def go(self) -> bool:
        """Whether every review-load criterion passed (True without a gate)."""
        return all(r.passed for r in self.gate)


def _store_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def score_items_distributed(
    store: Store,
    version: EnforcerVersion,
    item_ids: Sequence[str],
    *,
    workspace: Path,
    client: Any,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    batch_size: int = 1000,
    max_concurrent: int | None = None,
    exchange_dir: Path | None = None,
    retries: int = 2,
    progress: Callable[[int], None] | None = None,
) -> DistributedScoreResult:
    """Score items on a Dask cluster and store one verdict per item; resumable, idempotent.

    Args:
        store: The store (workers must reach the same database: a SQLite file on a shared
            disk, or PostgreSQL).
        version: The catalog version to score with.
        item_ids: Items to score (duplicates scored once).
        workspace: Workspace root (workers must see it at the same path).
        client: A `distributed.Client` (see `dask_client`).
        partition_size: Items per task.
        batch_size: Items per `predict` call inside a task.
        max_concurrent: Cluster-wide bound on concurrent `predict` calls (an LLM's rate
            limit, shared through a `distributed.Semaphore`); None: no bound.
        exchange_dir: Folder for the Parquet files (shared with the workers); default a
            temporary folder removed afterwards.
        retries: Times a failing task is retried before the run fails.
        progress: Called with the number of items finished, as partitions complete.

    Returns:
        Counts of the run.

    Raises:
        NotFoundError: Some selected ids are not in the store.
        ValidationError: Bad sizes.
    """
    distributed = distributed_module()
    if batch_size < 1:
        raise ValidationError(f"batch size must be at least 1, got {batch_size}")
    if max_concurrent is not None and max_concurrent < 1:
        raise ValidationError(f"max concurrent calls must be at least 1, got {max_concurrent}")
    wanted = list(dict.fromkeys(item_ids))
    done = scored_item_ids(store, version, version.spec.policy)
    todo = [i for i in wanted if i not in done]
    skipped = len(wanted) - len(todo)
    present = get_items(store, todo) if len(todo) <= 50_000 else None
    if present is not None and len(present) != len(todo):
        missing = [i for i in todo if i not in present]
        raise NotFoundError(
            f"{len(missing)} selected item(s) are not in the store: {', '.join(missing[:20])}",
            hint="import them first (modgate items import)",
        )
    if progress is not None and skipped:
        progress(skipped)
    partitions = make_partitions(todo, partition_size)
    workers = len(client.scheduler_info().get("workers", {}))
    semaphore = None
    if max_concurrent is not None:
        semaphore = f"modgate-{version.ref}"
        distributed.Semaphore(
            max_leases=max_concurrent, name=semaphore
        )  # registers the lease count
    scored = errors = 0
    with tempfile.TemporaryDirectory(prefix="modgate-scale-") as tmp:
        folder = exchange_dir if exchange_dir is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        specs = [
            PartitionTask(
                store_url=_store_url(store),
                workspace=str(workspace),
                enforcer=version.ref,
                name=f"{version.name}-{version.version}-{p.name}",
                item_ids=p.item_ids,
                output_dir=str(folder),
                batch_size=batch_size,
                semaphore=semaphore,
                max_concurrent=max_concurrent,
            ).model_dump_json()
            for p in partitions
        ]
        futures = client.map(score_partition, specs, retries=retries, pure=False)
        for future in distributed.as_completed(futures):
            path = Path(future.result())
            verdicts = read_verdicts_parquet(path)
            with store.begin() as conn:
                write_verdicts(conn, verdicts, version, now=datetime.now(UTC))
            if exchange_dir is None:
                path.unlink(missing_ok=True)
            scored += len(verdicts)
            errors += sum(1 for v in verdicts if v.error is not None)
            if progress is not None:
                progress(len(verdicts))
    return DistributedScoreResult(
        enforcer=version.ref,
        selected=len(wanted),
        already_scored=skipped,
        scored=scored,
        errors=errors,
        partitions=len(partitions),
        workers=workers,
    )


def _days(since: datetime | None, until: datetime | None) -> float | None:
    if since is None or until is None:
        return None
    return (until - since).total_seconds() / 86400


def backfill(
    store: Store,
    ref: str,
    *,
    workspace: Path,
    against: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    communities: Sequence[str] | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    client: Any | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    max_concurrent: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    gate: GateConfig | None = None,
) -> BackfillResult:
    """Re-score history with a candidate version on Dask and report its launch impact.

    Args:
        store: The store.
        ref: Candidate `name@version`.
        workspace: Workspace root.
        against: Version to compare with (`name@version`). None: the active deployment of
            the candidate's policy, if any. The baseline's verdicts over the same items are
            reused where stored and made on the cluster where missing.
        since: Items created at or after this time (None: from the start).
        until: Items created before this time (None: to the end).
        communities: Only these communities (None: all).
        scheduler: Dask scheduler address; None starts a local cluster.
        n_workers: Local cluster size (default: one per core).
        client: An open `distributed.Client` to use instead of `scheduler` / a local cluster.
        partition_size: Items per task.
        max_concurrent: Cluster-wide bound on concurrent `predict` calls.
        progress: Called with items finished.
        on_total: Called once with the number of verdicts the run covers (selected items,
            times two with a baseline), to size one progress bar.
        gate: A gate whose review-load criteria (reviewer capacity per day) are checked on
            the impact; needs `since` and `until`.

    Returns:
        The scoring counts and the impact report.

    Raises:
        NotFoundError: No such version.
        ValidationError: `since` is not before `until`, or a gate is given without both.
    """
    if since is not None and until is not None and since >= until:
        raise ValidationError(f"--since ({since.isoformat()}) must be before --until")
    if gate is not None and (since is None or until is None):
        raise ValidationError(
            "a review-load cap is per day: give --since and --until with --gate",
            hint="e.g. --since 2026-01-01 --until 2026-01-08",
        )
    version = get_enforcer_version(store, ref)
    if against is None:
        current = current_deployment(store, version.spec.policy)
        active = current.state.active if current is not None else None
        against = active.enforcer if active is not None else None
    baseline = get_enforcer_version(store, against) if against is not None else None
    ids = window_item_ids(store, since=since, until=until, communities=communities)
    if on_total is not None:
        on_total(len(ids) * (2 if baseline is not None else 1))
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(scheduler, n_workers=n_workers))
        scoring = score_items_distributed(
            store,
            version,
            ids,
            workspace=workspace,
            client=client,
            partition_size=partition_size,
            max_concurrent=max_concurrent,
            progress=progress,
        )
        baseline_scoring = None
        if baseline is not None:
            baseline_scoring = score_items_distributed(
                store,
                baseline,
                ids,
                workspace=workspace,
                client=client,
                partition_size=partition_size,
                max_concurrent=max_concurrent,
                progress=progress,
            )
    base_counts = (
        action_counts(store, baseline.name, baseline.version, ids) if baseline is not None else {}
    )
    impact = launch_impact(
        version.ref,
        action_counts(store, version.name, version.version, ids),
        baseline.ref if baseline is not None else None,
        base_counts,
        days=_days(since, until),
    )
    results: tuple[GateResult, ...] = ()
    if gate is not None:
        per_community: dict[str, float] = {}
        for row in impact.rows:
            per_community[row.community] = per_community.get(row.community, 0.0) + (
                row.review_per_day or 0.0
            )
        results = evaluate_review_load(gate, per_community)
    return BackfillResult(
        scoring=scoring, baseline_scoring=baseline_scoring, impact=impact, gate=results
    )


__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "BackfillResult",
    "DistributedScoreResult",
    "backfill",
    "score_items_distributed",
]
