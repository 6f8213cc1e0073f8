"""Persistence of eval runs and their per-item predictions (the one module here touching SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, delete, select

from modgate.domain import Action, Item
from modgate.errors import NotFoundError
from modgate.evaluate._records import EvalFigures, PredictionRecord, as_tuple
from modgate.store import (
    Store,
    batched,
    bulk_insert,
    eval_predictions,
    eval_runs,
    items,
    record_audit_event,
    row_to_item,
    verdicts,
)

_IN_CHUNK = 900  # SQLite's bound-parameter limit
_VIOLATING = "violating"
_NON_VIOLATING = "non_violating"


class RunComponent(BaseModel):
    """One enforcer of a run and the policy whose rows it scored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enforcer: str
    """`name@version`."""
    enforcer_version_hash: str
    """Its content hash."""
    policy: str | None
    """`policy@version` it enforces."""
    n_items: int
    """Rows of that policy it scored."""


class EvalRun(BaseModel):
    """A stored eval run: enforcer version × golden version → figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Run id."""
    enforcer: str
    """`name@version` of the evaluated enforcer."""
    enforcer_version_hash: str
    """Content hash of that enforcer version (spec + artifact + training data)."""
    policy: str | None
    """`policy@version` the enforcer enforces."""
    golden: str
    """`name@version` of the frozen golden set."""
    golden_hash: str
    """Content hash of the frozen golden version."""
    split: str
    """Split of the golden version that was scored (normally `test`)."""
    n_items: int
    """Items evaluated."""
    created_at: datetime
    """When the run was made (UTC)."""
    created_by: str
    """Who made it."""
    figures: EvalFigures
    """Every figure of the run."""
    components: tuple[RunComponent, ...] = ()
    """The enforcers of a multi-policy run, one per policy (empty: one enforcer, above)."""
    left_out_changed: tuple[str, ...] = ()
    """Items of the split left out because they changed since the freeze (`--on-changed skip`)."""

    @property
    def policies(self) -> tuple[str, ...]:
        """Policy ids (without version) the run's rows belong to."""
        if self.components:
            return tuple((c.policy or "").split("@", 1)[0] for c in self.components)
        return (self.policy.split("@", 1)[0],) if self.policy else ()


def _label(value: bool) -> str:
    return _VIOLATING if value else _NON_VIOLATING


def prediction_to_row(run_id: str, record: PredictionRecord) -> dict[str, Any]:
    """A row of `eval_predictions` from a prediction record."""
    return {
        "run_id": run_id,
        "item_id": record.item_id,
        "gold_label": _label(record.gold),
        "score": record.score,
        "predicted_label": _label(record.predicted),
        "action": record.action.value,
        "criteria": list(record.criteria),
        "gold_criteria": list(record.gold_criteria),
        "error": record.error,
        "latency_ms": record.latency_ms,
        "cost": record.cost,
        "slices": {k: list(v) for k, v in record.slices.items()},
    }


def row_to_prediction(row: Any) -> PredictionRecord:
    """A prediction record from a row of `eval_predictions`."""
    return PredictionRecord(
        item_id=row["item_id"],
        gold=row["gold_label"] == _VIOLATING,
        score=row["score"],
        predicted=row["predicted_label"] == _VIOLATING,
        action=Action(row["action"]),
        criteria=as_tuple(row["criteria"]),
        gold_criteria=as_tuple(row["gold_criteria"]),
        error=row["error"],
        latency_ms=row["latency_ms"],
        cost=row["cost"],
        slices={k: as_tuple(v) for k, v in (row["slices"] or {}).items()},
    )


def _row_to_run(row: Any) -> EvalRun:
    created = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    figures = dict(row["figures"])
    figures["reliability"] = row["reliability"]
    components = figures.pop("components", None) or ()
    changed = figures.pop("left_out_changed", None) or ()
    return EvalRun(
        components=tuple(RunComponent.model_validate(c) for c in components),
        left_out_changed=tuple(changed),
        id=row["id"],
        enforcer=row["enforcer"],
        enforcer_version_hash=row["enforcer_version_hash"],
        policy=row["policy"],
        golden=row["golden"],
        golden_hash=row["golden_hash"],
        split=row["split"],
        n_items=row["n_items"],
        created_at=created,
        created_by=row["created_by"],
        figures=EvalFigures.model_validate(figures),
    )


def insert_eval_run(
    conn: Connection,
    run: EvalRun,
    predictions: Sequence[PredictionRecord],
    *,
    batch_size: int = 5000,
) -> None:
    """Write a run, its predictions and an audit event in the caller's transaction."""
    figures = run.figures.model_dump(mode="json")
    reliability = figures.pop("reliability")
    # Run scope kept in the figures document (no column of its own; read back by _row_to_run).
    figures["components"] = [c.model_dump(mode="json") for c in run.components]
    figures["left_out_changed"] = list(run.left_out_changed)
    conn.execute(
        eval_runs.insert().values(
            id=run.id,
            enforcer=run.enforcer,
            enforcer_version_hash=run.enforcer_version_hash,
            policy=run.policy,
            golden=run.golden,
            golden_hash=run.golden_hash,
            split=run.split,
            n_items=run.n_items,
            created_at=run.created_at,
            created_by=run.created_by,
            figures=figures,
            reliability=reliability,
        )
    )
    for batch in batched((prediction_to_row(run.id, p) for p in predictions), batch_size):
        bulk_insert(conn, eval_predictions, batch)
    overall = {m.name: m.value for m in run.figures.overall.metrics}
    record_audit_event(
        conn,
        actor=run.created_by,
        action="eval.run",
        object_type="eval_run",
        object_id=run.id,
        details={
            "enforcer": run.enforcer,
            "golden": run.golden,
            "golden_hash": run.golden_hash,
            "n_items": run.n_items,
            "overall": overall,
        },
    )


class StoredItemState(BaseModel):
    """An item as stored now: the full record, its content hash and when its content changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: Item
    """Every field of the stored item."""
    content_hash: str
    """Hash of its content fields."""
    updated_at: datetime
    """When its content last changed (UTC)."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def load_item_states(store: Store, item_ids: Sequence[str]) -> dict[str, StoredItemState]:
    """The stored items among `item_ids` (absent ids are not in the result)."""
    found: dict[str, StoredItemState] = {}
    ids = list(item_ids)
    with store.connect() as conn:
        for start in range(0, len(ids), _IN_CHUNK):
            query = select(items).where(items.c.id.in_(ids[start : start + _IN_CHUNK]))
            for row in conn.execute(query).mappings():
                found[row["id"]] = StoredItemState(
                    item=row_to_item(row),
                    content_hash=row["content_hash"],
                    updated_at=_utc(row["updated_at"]),
                )
    return found


def verdict_times(
    store: Store, *, enforcer: str, version: int, policy: str | None, item_ids: Sequence[str]
) -> dict[str, datetime]:
    """When each stored verdict of one enforcer version (and policy) was computed, by item."""
    ids = list(item_ids)
    found: dict[str, datetime] = {}
    base = select(verdicts.c.item_id, verdicts.c.created_at).where(
        verdicts.c.enforcer == enforcer, verdicts.c.enforcer_version == version
    )
    if policy is not None:
        base = base.where(verdicts.c.policy == policy)
    with store.connect() as conn:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            for item_id, created in conn.execute(base.where(verdicts.c.item_id.in_(chunk))):
                found[item_id] = _utc(created)
    return found


def get_eval_run(store: Store, run_id: str) -> EvalRun:
    """The stored run `run_id`.

    Raises:
        NotFoundError: No such run.
    """
    with store.connect() as conn:
        row = conn.execute(select(eval_runs).where(eval_runs.c.id == run_id)).mappings().first()
    if row is None:
        raise NotFoundError(
            f"no eval run {run_id!r}", hint="`modgate eval list` shows the stored runs"
        )
    return _row_to_run(row)


def list_eval_runs(
    store: Store,
    *,
    enforcer: str | None = None,
    golden: str | None = None,
    limit: int = 100,
) -> list[EvalRun]:
    """Stored runs, newest first.

    Args:
        store: The store.
        enforcer: Only runs of this enforcer (`name` or `name@version`).
        golden: Only runs on this golden set (`name` or `name@version`).
        limit: Most runs returned.
    """
    query = select(eval_runs).order_by(eval_runs.c.created_at.desc(), eval_runs.c.id).limit(limit)
    if enforcer:
        column = eval_runs.c.enforcer
        query = query.where(column == enforcer if "@" in enforcer else column.like(f"{enforcer}@%"))
    if golden:
        column = eval_runs.c.golden
        query = query.where(column == golden if "@" in golden else column.like(f"{golden}@%"))
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_row_to_run(r) for r in rows]


def load_predictions(store: Store, run_id: str) -> list[PredictionRecord]:
    """Every prediction of a run, ordered by item id.

    Raises:
        NotFoundError: No such run.
    """
    get_eval_run(store, run_id)
    query = (
        select(eval_predictions)
        .where(eval_predictions.c.run_id == run_id)
        .order_by(eval_predictions.c.item_id)
    )
    with store.connect() as conn:
        return [row_to_prediction(r) for r in conn.execute(query).mappings()]


def delete_eval_run(store: Store, run_id: str, *, actor: str) -> None:
    """Delete a run and its predictions (audited).

    Raises:
        NotFoundError: No such run.
    """
    get_eval_run(store, run_id)
    with store.begin() as conn:
        conn.execute(delete(eval_predictions).where(eval_predictions.c.run_id == run_id))
        conn.execute(delete(eval_runs).where(eval_runs.c.id == run_id))
        record_audit_event(
            conn, actor=actor, action="eval.delete", object_type="eval_run", object_id=run_id
        )


__all__ = [
    "EvalRun",
    "RunComponent",
    "StoredItemState",
    "load_item_states",
    "verdict_times",
    "delete_eval_run",
    "get_eval_run",
    "insert_eval_run",
    "list_eval_runs",
    "load_predictions",
    "prediction_to_row",
    "row_to_prediction",
]
