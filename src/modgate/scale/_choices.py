"""What the CLI declares its scale-out options with: the engines, the default partition size.

A module of its own, free of Dask, pydantic and the database: the CLI declares `--engine` and
`--partition-size` with it, so building `modgate backfill --help` imports this module and
nothing else of `scale`.
"""

from __future__ import annotations

import enum


class Engine(enum.StrEnum):
    """Where scoring runs: in this process, or on a Dask cluster."""

    LOCAL = "local"
    DASK = "dask"


DEFAULT_PARTITION_SIZE = 5000
"""Items per partition unless told otherwise."""
