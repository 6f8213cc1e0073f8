"""Training rows: (text, binary label, weight), their canonical hash, and reading them from a file.

`enforce` trains from these rows and knows no golden sets: callers pass the rows of a frozen
split (`modgate.evaluate.train_enforcer_from_sources`) or a file (`enforcer train --train-file`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from modgate.errors import ValidationError
from modgate.store import RowReject, open_rows

_MAX_LISTED = 20

_LABELS = {
    "violating": 1,
    "non_violating": 0,
    "1": 1,
    "0": 0,
    "true": 1,
    "false": 0,
}


class TrainingRow(BaseModel):
    """One training example: text, binary label, weight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    """The example text."""
    label: int = Field(ge=0, le=1)
    """1 = violating, 0 = non-violating (`violating`/`non_violating`/true/false accepted)."""
    weight: float = Field(default=1.0, gt=0.0, allow_inf_nan=False)
    """Sample weight (> 0)."""

    @field_validator("label", mode="before")
    @classmethod
    def _parse_label(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            key = value.strip().lower()
            if key not in _LABELS:
                raise ValueError(
                    f"label {value!r} is not one of violating, non_violating, 1, 0, true, false"
                )
            return _LABELS[key]
        return value


def training_data_hash(rows: Iterable[TrainingRow]) -> str:
    """sha256 of the rows in canonical order: the same rows in any order give the same hash."""
    canonical = sorted(
        json.dumps([r.text, r.label, r.weight], ensure_ascii=False, separators=(",", ":"))
        for r in rows
    )
    digest = hashlib.sha256()
    for line in canonical:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def read_training_rows(path: Path) -> list[TrainingRow]:
    """Read training rows from CSV/TSV, JSONL or Parquet with columns text, label[, weight].

    Labels may be `violating`/`non_violating`, 1/0 or true/false.

    Raises:
        ValidationError: The file is missing or has bad rows; every problem is listed with
            `file:line`.
    """
    if not path.is_file():
        raise ValidationError(f"training file {path} not found")
    rows: list[TrainingRow] = []
    problems: list[str] = []
    with open_rows(path) as stream:
        for entry in stream:
            if isinstance(entry, RowReject):
                problems.append(f"{path}:{entry.line}: {entry.detail}")
                continue
            number, raw = entry.line, entry.values
            where = f"{path}:{number}"
            data: dict[str, Any] = {
                k: raw[k] for k in ("text", "label", "weight") if raw.get(k) not in (None, "")
            }
            label = data.get("label")
            if isinstance(label, int | float) and not isinstance(label, bool):
                data["label"] = int(label)
            try:
                rows.append(TrainingRow.model_validate(data))
            except PydanticValidationError as exc:
                for err in exc.errors():
                    field = ".".join(str(p) for p in err["loc"]) or "row"
                    problems.append(f"{where}: {field}: {err['msg']}")
    if problems:
        shown = problems[:_MAX_LISTED]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise ValidationError(
            f"{len(problems)} bad row(s) in training file {path}:\n  " + "\n  ".join(shown) + more
        )
    return rows


__all__ = ["TrainingRow", "read_training_rows", "training_data_hash"]
