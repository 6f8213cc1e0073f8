"""Rows of CSV/TSV, JSONL or Parquet files with their line numbers, for file:line errors."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modgate.errors import ValidationError


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, raw row) of a CSV, JSONL or Parquet file (.gz for text formats)."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for number, row in enumerate(pq.read_table(path).to_pylist(), start=1):
            yield number, row
        return
    opener = gzip.open if name.endswith(".gz") else open
    stem = name.removesuffix(".gz")
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        if stem.endswith((".jsonl", ".ndjson", ".json")):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"invalid JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
        elif stem.endswith((".csv", ".tsv")):
            reader = csv.DictReader(handle, delimiter="\t" if stem.endswith(".tsv") else ",")
            for row in reader:
                yield reader.line_num, dict(row)
        else:
            raise ValidationError(
                f"{path}: unknown predictions format; use .csv, .tsv, .jsonl or .parquet (.gz ok)"
            )


__all__ = ["iter_rows"]
