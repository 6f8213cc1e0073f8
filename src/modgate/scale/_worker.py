"""The task a Dask worker runs: score one partition, write its verdicts as Parquet.

A task receives a JSON spec (store URL, workspace, enforcer ref, the partition's ids, where
to write) — plain data, no pickled enforcer or store — reads its items from the store, scores
them and returns the path of the Parquet file it wrote. The enforcer is built once per worker
process and reused across tasks. An optional cluster-wide `distributed.Semaphore` bounds how
many partitions call the enforcer at once (the LLM rate limit shared by every worker).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.enforce import Enforcer, EnforcerVersion, load_enforcer
from modgate.errors import EnforcerError, NotFoundError
from modgate.scale._engine import distributed_module
from modgate.scale._exchange import write_verdicts_parquet
from modgate.store import Store, get_items


class PartitionTask(BaseModel):
    """What a worker needs to score one partition (sent as JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store_url: str
    """SQLAlchemy URL of the store (workers only read items from it)."""
    workspace: str
    """Workspace root (artifacts are relative to it)."""
    enforcer: str
    """`name@version` to score with."""
    name: str
    """Partition name (the output file's stem)."""
    item_ids: tuple[str, ...]
    """Ids to score."""
    output_dir: str
    """Folder the Parquet file goes to."""
    batch_size: int = 1000
    """Items per `predict` call."""
    semaphore: str | None = None
    """Name of the cluster-wide semaphore bounding concurrent `predict` calls (None: none)."""
    max_concurrent: int | None = None
    """Leases of that semaphore."""


_BUILT: dict[tuple[str, str, str], tuple[Store, EnforcerVersion, Enforcer]] = {}


def _enforcer_for(task: PartitionTask) -> tuple[Store, EnforcerVersion, Enforcer]:
    key = (task.store_url, task.workspace, task.enforcer)
    if key not in _BUILT:
        store = Store.from_url(task.store_url, create=False)
        version, enforcer = load_enforcer(store, task.enforcer, workspace=Path(task.workspace))
        _BUILT[key] = (store, version, enforcer)
    return _BUILT[key]


def _limit(task: PartitionTask) -> contextlib.AbstractContextManager[Any]:
    if task.semaphore is None or task.max_concurrent is None:
        return contextlib.nullcontext()
    semaphore: contextlib.AbstractContextManager[Any] = distributed_module().Semaphore(
        max_leases=task.max_concurrent, name=task.semaphore
    )
    return semaphore


def score_partition(task_json: str) -> str:
    """Score one partition and write its verdicts to `<output_dir>/<name>.parquet`.

    Args:
        task_json: A `PartitionTask` as JSON.

    Returns:
        The Parquet file's path.

    Raises:
        NotFoundError: Some ids are not in the store.
        EnforcerError: The enforcer's verdicts do not match the items.
    """
    task = PartitionTask.model_validate_json(task_json)
    store, version, enforcer = _enforcer_for(task)
    found = get_items(store, list(task.item_ids))
    missing = [i for i in task.item_ids if i not in found]
    if missing:
        raise NotFoundError(f"{len(missing)} item(s) not in the store: {', '.join(missing[:20])}")
    verdicts = []
    for start in range(0, len(task.item_ids), task.batch_size):
        batch = [found[i] for i in task.item_ids[start : start + task.batch_size]]
        with _limit(task):
            made = enforcer.predict(batch)
        if len(made) != len(batch) or any(
            v.item_id != item.id for v, item in zip(made, batch, strict=False)
        ):
            raise EnforcerError(f"{version.ref} broke the contract: verdicts do not match items")
        verdicts.extend(made)
    path = Path(task.output_dir) / f"{task.name}.parquet"
    return str(write_verdicts_parquet(verdicts, path))


__all__ = ["PartitionTask", "score_partition"]
