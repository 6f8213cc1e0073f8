"""Training rows from a file of (text, label[, weight]) — for `enforcer train --train-file`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from modgate.enforce._tabular import iter_rows
from modgate.enforce._train import TrainingRow
from modgate.errors import ValidationError

_MAX_LISTED = 20


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
    for number, raw in iter_rows(path):
        where = f"{path}:{number}"
        if "__error__" in raw:
            problems.append(f"{where}: {raw['__error__']}")
            continue
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


__all__ = ["read_training_rows"]
