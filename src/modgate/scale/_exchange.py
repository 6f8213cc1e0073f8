"""The exchange format: verdicts as Parquet files, the only thing workers hand back.

Workers never write to the store and never return Python objects; they write one Parquet
file per partition (atomically: a temporary name renamed into place) and return its path.
The same schema is what a Spark job or a warehouse export produces to feed `modgate`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modgate.domain import Action, Effect, Verdict
from modgate.errors import ValidationError

VERDICT_COLUMNS = (
    "item_id",
    "policy",
    "enforcer",
    "score",
    "label",
    "action",
    "criteria",
    "rationale",
    "latency_ms",
    "cost",
    "error",
)
"""Columns every verdict Parquet file has, in order."""

OPTIONAL_COLUMNS = ("effects",)
"""Columns a verdict file may have: `effects`, the declared effects as a JSON array (null when
none), written by modgate; a file from another engine may leave it out."""


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("item_id", pa.string()),
            ("policy", pa.string()),
            ("enforcer", pa.string()),
            ("score", pa.float64()),
            ("label", pa.string()),
            ("action", pa.string()),
            ("criteria", pa.list_(pa.string())),
            ("rationale", pa.string()),
            ("latency_ms", pa.float64()),
            ("cost", pa.float64()),
            ("error", pa.string()),
            ("effects", pa.string()),
        ]
    )


def write_verdicts_parquet(verdicts: Sequence[Verdict], path: Path) -> Path:
    """Write verdicts to `path` atomically (a reader never sees half a file).

    Args:
        verdicts: Verdicts of one partition.
        path: Target file; its folder must exist.

    Returns:
        `path`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {c: [] for c in (*VERDICT_COLUMNS, *OPTIONAL_COLUMNS)}
    for v in verdicts:
        columns["item_id"].append(v.item_id)
        columns["policy"].append(v.policy)
        columns["enforcer"].append(v.enforcer)
        columns["score"].append(float(v.score))
        columns["label"].append(v.label)
        columns["action"].append(v.action.value)
        columns["criteria"].append(list(v.criteria))
        columns["rationale"].append(v.rationale)
        columns["latency_ms"].append(float(v.latency_ms))
        columns["cost"].append(float(v.cost))
        columns["error"].append(v.error)
        columns["effects"].append(
            json.dumps([e.model_dump(mode="json") for e in v.effects]) if v.effects else None
        )
    table = pa.table(columns, schema=_schema())
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    pq.write_table(table, partial)
    partial.replace(path)
    return path


def read_verdicts_parquet(path: Path) -> list[Verdict]:
    """Read a verdict Parquet file back into verdicts.

    Raises:
        ValidationError: The file lacks a column of the exchange format.
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = [c for c in VERDICT_COLUMNS if c not in table.column_names]
    if missing:
        raise ValidationError(f"{path}: not a verdict file (missing {', '.join(missing)})")
    rows = table.to_pylist()
    return [
        Verdict(
            item_id=r["item_id"],
            policy=r["policy"],
            enforcer=r["enforcer"],
            score=r["score"],
            label=r["label"],
            action=Action(r["action"]),
            criteria=tuple(r["criteria"] or ()),
            rationale=r["rationale"],
            latency_ms=r["latency_ms"],
            cost=r["cost"],
            error=r["error"],
            effects=_effects(r.get("effects"), path),
        )
        for r in rows
    ]


def _effects(raw: str | None, path: Path) -> tuple[Effect, ...]:
    if not raw:
        return ()
    try:
        return tuple(Effect.model_validate(e) for e in json.loads(raw))
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"{path}: bad effects value {raw[:80]!r}: {exc}") from exc


__all__ = ["OPTIONAL_COLUMNS", "VERDICT_COLUMNS", "read_verdicts_parquet", "write_verdicts_parquet"]
