from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from modgate.golden import ImportOptions, import_golden_file
from modgate.store import Store

CLASSES = ("hate", "offensive", "neither")
LABEL_MAP = {"hate": "violating", "offensive": "non_violating", "neither": "non_violating"}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def annotation_rows() -> list[dict[str, Any]]:
    """Three annotators on six items; items 2 and 4 disagree; `sam` is sometimes missing."""
    labels = {
        "i1": ("violating", "violating", "violating"),
        "i2": ("violating", "non_violating", None),
        "i3": ("non_violating", "non_violating", "non_violating"),
        "i4": ("non_violating", "violating", "violating"),
        "i5": ("non_violating", "non_violating", None),
        "i6": ("violating", "violating", "violating"),
    }
    rows = []
    for n, (item, given) in enumerate(labels.items()):
        for annotator, label in zip(("ann", "bob", "sam"), given, strict=True):
            if label is not None:
                rows.append(
                    {
                        "id": item,
                        "text": f"text number {n} with enough distinct words {item}",
                        "annotator": annotator,
                        "label": label,
                        "tags": "sarcasm;quote" if item == "i2" else "",
                        "allowed": "counter_speech" if item in ("i3", "i5") else "",
                        "source": "forum" if n % 2 else "chat",
                        "group": f"thread-{n // 2}",
                        "rationale": f"{annotator} thinks so",
                    }
                )
    return rows


@pytest.fixture
def annotated(store: Store, tmp_path: Path) -> Store:
    """A store with golden set `g` imported from `annotation_rows()` (policy hate_speech)."""
    path = write_csv(tmp_path / "labels.csv", annotation_rows())
    result = import_golden_file(
        store, "g", path, ImportOptions(policy="hate_speech"), actor="tester"
    )
    assert result.rejected == 0
    return store
