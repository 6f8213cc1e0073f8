"""The set of ids an import has already taken, in memory up to a size, then on disk.

Duplicate detection must remember every id of the file, and a 5 GB export has tens of
millions; a Python set costs ~70 bytes per id. Past `spill_after` ids the set moves to a
temporary SQLite file (stdlib `sqlite3`, deleted on close), so memory stays bounded.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from modgate.store._bulk import batched

DEFAULT_SPILL_AFTER = 2_000_000


class SeenIds:
    """Remembers ids across batches; `take` tells which of a batch were seen before."""

    def __init__(self, spill_after: int = DEFAULT_SPILL_AFTER) -> None:
        self.spill_after = spill_after
        self._memory: set[str] = set()
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._disk: sqlite3.Connection | None = None

    @property
    def spilled(self) -> bool:
        """Whether the ids live on disk now."""
        return self._disk is not None

    def take(self, ids: Sequence[str]) -> set[str]:
        """Record a batch of distinct ids and return those recorded by an earlier call."""
        if self._disk is None:
            seen = self._memory.intersection(ids)
            self._memory.update(ids)
            if len(self._memory) > self.spill_after:
                self._spill()
            return seen
        seen = set()
        for chunk in batched(ids):
            marks = ",".join("?" * len(chunk))
            seen.update(
                row[0]
                for row in self._disk.execute(f"SELECT id FROM seen WHERE id IN ({marks})", chunk)
            )
        self._disk.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((i,) for i in ids))
        return seen

    def _spill(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="modgate-ids-")
        self._disk = sqlite3.connect(Path(self._folder.name) / "seen.db")
        self._disk.execute("PRAGMA journal_mode=OFF")
        self._disk.execute("PRAGMA synchronous=OFF")
        self._disk.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self._disk.executemany("INSERT INTO seen VALUES (?)", ((i,) for i in self._memory))
        self._memory = set()

    def close(self) -> None:
        """Delete the on-disk set, if any."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> SeenIds:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()
