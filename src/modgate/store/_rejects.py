"""The rejects file: one JSON line per rejected row (line, reason, detail, raw).

The file is created when the writer opens — before the importer commits its first row, so a
rejects file that cannot be written stops the import before anything lands — with
`O_CREAT | O_EXCL | O_NOFOLLOW`: a symbolic link planted at the path is refused, never
followed, and a file swapped in between is not truncated.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import IO

from modgate.errors import ValidationError
from modgate.store._readers import RowReject

REJECTS_FOLDER = "rejects"
"""Folder of a workspace that holds rejects files by default."""

_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def default_rejects_path(source: Path, workspace: Path | None = None) -> Path:
    """Where rejects of `source` go unless told otherwise.

    Args:
        source: The imported file.
        workspace: The workspace; when given, rejects go to `<workspace>/rejects/`, never
            into the (perhaps shared) folder the source came from.

    Returns:
        `<workspace>/rejects/<source name>.rejects.jsonl`, or `<source>.rejects.jsonl` beside
        the source when there is no workspace.
    """
    name = f"{source.name}.rejects.jsonl"
    if workspace is not None:
        return workspace / REJECTS_FOLDER / name
    return source.with_name(name)


def _create_exclusive(path: Path) -> IO[str]:
    """Create `path` afresh without following a symbolic link; replace an old regular file."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ValidationError(
                f"the rejects file {path} is a symbolic link; refusing to follow it",
                hint="remove the link, or pass another path with --rejects",
            )
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(f"the rejects file {path} exists and is not a regular file")
        path.unlink()
    fd = os.open(path, _FLAGS, 0o644)
    return os.fdopen(fd, "w", encoding="utf-8")


class RejectsWriter:
    """Writes rejected rows to a JSONL file and counts them by reason.

    Entering the context creates the file (replacing a regular file left by an earlier run,
    refusing a symbolic link); a run with no rejects removes it on exit, so the path
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
        return self.path if self.total else None

    def open(self) -> None:
        """Create the file now (the context manager does this on entry).

        Raises:
            ValidationError: The file cannot be created, or the path is a symbolic link.
        """
        if self._handle is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = _create_exclusive(self.path)
        except OSError as exc:
            raise ValidationError(
                f"cannot write the rejects file {self.path}: {exc.strerror or exc}",
                hint="pass a writable path with --rejects; nothing was imported",
            ) from exc

    def write(self, reject: RowReject) -> None:
        """Append one rejected row.

        Raises:
            ValidationError: The rejects file cannot be written.
        """
        self.open()
        assert self._handle is not None
        try:
            self._handle.write(json.dumps(reject.model_dump(), ensure_ascii=False))
            self._handle.write("\n")
        except OSError as exc:
            raise ValidationError(
                f"cannot write the rejects file {self.path}: {exc.strerror or exc}"
            ) from exc
        self.counts[reject.reason] += 1

    def flush(self) -> None:
        """Push written rejects to the file (before the rows of a batch are committed)."""
        if self._handle is not None:
            try:
                self._handle.flush()
            except OSError as exc:
                raise ValidationError(
                    f"cannot write the rejects file {self.path}: {exc.strerror or exc}"
                ) from exc

    def close(self) -> None:
        """Flush and close the file; remove it when nothing was rejected."""
        if self._handle is None:
            return
        self._handle.close()
        self._handle = None
        if not self.total:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> RejectsWriter:
        self.open()
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
