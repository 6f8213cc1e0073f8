"""Printing records as a Rich table, JSON, CSV or Parquet; one place for output formats."""

from __future__ import annotations

import csv
import enum
import io
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from modgate.errors import ValidationError


class OutputFormat(enum.StrEnum):
    """Formats every read command accepts."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"


def console() -> Console:
    """Console for human output (stdout)."""
    return Console(soft_wrap=False)


def err_console() -> Console:
    """Console for errors and progress (stderr)."""
    return Console(stderr=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(_jsonable(value))


def write_records(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: OutputFormat,
    output: Path | None = None,
    *,
    title: str | None = None,
) -> None:
    """Write rows in the chosen format to `output` or stdout.

    Raises:
        ValidationError: Parquet was asked for without an output file.
    """
    if fmt is OutputFormat.PARQUET:
        if output is None:
            raise ValidationError("--format parquet needs --output FILE")
        import pyarrow as pa
        import pyarrow.parquet as pq

        data = {c: [_parquet_value(r[i]) for r in rows] for i, c in enumerate(columns)}
        pq.write_table(pa.table(data), output)
        return
    if fmt is OutputFormat.TABLE and output is None:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        console().print(table)
        return
    buffer = io.StringIO()
    if fmt is OutputFormat.JSON:
        records = [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        json.dump(records, buffer, ensure_ascii=False, indent=2, default=str)
        buffer.write("\n")
    else:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    if output is None:
        sys.stdout.write(buffer.getvalue())
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")


def _parquet_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_models(
    models: Sequence[Any],
    fmt: OutputFormat,
    output: Path | None = None,
    *,
    title: str | None = None,
) -> None:
    """Write pydantic models as records (their fields become columns)."""
    if not models:
        columns: list[str] = []
        rows: list[list[Any]] = []
    else:
        dumped = [m.model_dump(mode="json") for m in models]
        columns = list(dumped[0].keys())
        rows = [[d[c] for c in columns] for d in dumped]
    if fmt is OutputFormat.TABLE and not rows and output is None:
        console().print(f"[dim]no {title or 'rows'}[/dim]")
        return
    write_records(columns, rows, fmt, output, title=title)
