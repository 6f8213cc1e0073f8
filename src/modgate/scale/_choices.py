"""The default partition size of distributed scoring and backfills.

A module of its own, free of Dask, pydantic and the database: the CLI declares
`--partition-size` with it, so building `modgate backfill --help` imports this module and
nothing else of `scale`.
"""

from __future__ import annotations

DEFAULT_PARTITION_SIZE = 5000
"""Items per partition unless told otherwise."""
