"""The input file formats the readers understand (`items import --format`, `policy import`).

A module of its own, free of pydantic and the database: the CLI declares `--format` with this
enum, so building `modgate items --help` imports this module and nothing else of `store`.
"""

from __future__ import annotations

import enum


class InputFormat(enum.StrEnum):
    """File formats the readers understand."""

    CSV = "csv"
    TSV = "tsv"
    JSONL = "jsonl"
    PARQUET = "parquet"
