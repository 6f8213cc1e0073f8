"""The rejects file: one JSON line per rejected row (line, reason, detail, raw)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import IO

from modgate.errors import ValidationError
from modgate.store._readers import RowReject


def default_rejects_path(source: Path) -> Path:
    """Where rejects of `source` go unless told otherwise: `<source>.rejects.jsonl` beside it."""
    return source.with_name(f"{source.name}.rejects.jsonl")


class RejectsWriter:
    """Writes rejected rows to a JSONL file and counts them by reason.

    The file is created on the first reject and truncated if it already exists; a run with
    no rejects removes a file left at the path by an earlier run. Either way the path
    describes the latest run only.

    Example:
        >>> with RejectsWriter(Path("in.csv.rejects.jsonl")) as rejects:  # doctest: +SKIP
        ...     rejects.write(reject)
        ...     rejects.counts
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts: Counter[str] = Counter()
        """Rejected rows by reason."""
        self._handle: IO[str] | None = None

    @property
    def total(self) -> int:
        """Rows rejected so far."""
        return sum(self.counts.values())

    @property
    def written(self) -> Path | None:
        """The rejects file, or None while nothing was rejected."""
        return self.path if self._handle is not None else None

    def write(self, reject: RowReject) -> None:
        """Append one rejected row.

        Raises:
            ValidationError: The rejects file cannot be written.
        """
        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("w", encoding="utf-8")
            except OSError as exc:
                raise ValidationError(f"cannot write the rejects file {self.path}: {exc}") from exc
        self._handle.write(json.dumps(reject.model_dump(), ensure_ascii=False))
        self._handle.write("\n")
        self.counts[reject.reason] += 1

    def close(self) -> None:
        """Flush and close the file (or remove a stale one when nothing was rejected)."""
        if self._handle is not None:
            self._handle.close()
        elif self.path.is_file():
            self.path.unlink()

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


def read_rejects(path: Path) -> list[RowReject]:
    """Read a rejects file back (for review, tests and re-import tooling)."""
    with path.open(encoding="utf-8") as handle:
        return [RowReject.model_validate_json(line) for line in handle if line.strip()]
