"""Streaming row readers for CSV, TSV, JSONL (optionally gzipped) and Parquet files.

Every physical line (or Parquet row) of a file ends up in exactly one of three places: a
`SourceRow` (a parsed record), a `RowReject` (why it could not be read, with the raw bytes as
escaped text) or the count of blank lines. Nothing is dropped silently, nothing raises on bad
bytes: file-level problems (unknown format, missing or unreadable header) raise
`ValidationError`, row-level problems become rejects. Memory stays bounded by the largest
record (CSV fields are capped by `max_field_chars`).

The reader is generic (any columns): the item import and the golden-set import both use it.
"""

from __future__ import annotations

import csv
import enum
import gzip
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple, cast

from pydantic import BaseModel, ConfigDict

from modgate.errors import ValidationError
from modgate.store._choices import InputFormat as InputFormat

_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_FIELD_CHARS = 64 * 1024 * 1024
"""Default cap on one CSV field (characters); a larger field rejects its row."""
_JSONL_PEEK_ROWS = 100
MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects accepted in one JSONL record; deeper rejects the row."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")
_SHAPE_RUNS = re.compile(r"(.)\1+")


class RejectReason(enum.StrEnum):
    """Why a row was rejected. Readers use the first group; importers add the second."""

    INVALID_UTF8 = "invalid_utf8"
    NUL_BYTE = "nul_byte"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    MALFORMED_CSV = "malformed_csv"
    WRONG_COLUMN_COUNT = "wrong_column_count"
    FIELD_TOO_LARGE = "field_too_large"
    TRUNCATED_LAST_LINE = "truncated_last_line"
    QUOTE_SPANS_ROWS = "quote_spans_rows"
    TOO_DEEP = "too_deep"
    MISSING_ID = "missing_id"
    MISSING_TEXT = "missing_text"
    TEXT_TOO_LARGE = "text_too_large"
    BAD_TIMESTAMP = "bad_timestamp"
    INVALID_VALUE = "invalid_value"
    DUPLICATE_ID = "duplicate_id"


class SourceRow(NamedTuple):
    """One parsed record (a tuple, not a model: millions are made per import)."""

    line: int
    """1-based line of the record's first line (Parquet: 1-based row number)."""
    values: dict[str, Any]
    """Column name → value: strings for CSV, JSON values for JSONL and Parquet."""


class RowReject(BaseModel):
    """A row that could not be taken, as written to the rejects file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    """1-based line of the row's first line in the source (Parquet: row number)."""
    reason: str
    """Machine-readable reason, usually a `RejectReason` value."""
    detail: str
    """Human-readable explanation."""
    raw: str
    """The row as found: source bytes decoded as UTF-8 with invalid bytes escaped (`\\xff`)."""


def escape_raw(raw: bytes) -> str:
    r"""Decode bytes as UTF-8, writing undecodable bytes as `\xNN` escapes (nothing is lost)."""
    return raw.decode("utf-8", "backslashreplace")


def detect_format(path: Path) -> tuple[InputFormat, bool]:
    """Tell a file's format and whether it is gzip-compressed from its name.

    Args:
        path: The file.

    Returns:
        The format and the gzip flag.

    Raises:
        ValidationError: The suffix is not one of .csv, .tsv, .jsonl, .ndjson, .parquet
            (optionally followed by .gz for the text formats).
    """
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    known = {
        ".csv": InputFormat.CSV,
        ".tsv": InputFormat.TSV,
        ".jsonl": InputFormat.JSONL,
        ".ndjson": InputFormat.JSONL,
        ".parquet": InputFormat.PARQUET,
        ".pq": InputFormat.PARQUET,
    }
    fmt = known.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise ValidationError(
            f"{path}: cannot tell the format from the file name",
            hint="use a .csv, .tsv, .jsonl, .ndjson or .parquet name (text formats may end "
            "in .gz), or pass the format explicitly (--format)",
        )
    return fmt, compressed


class _Lines:
    """Binary lines → text lines, remembering the raw bytes and problems of the current record."""

    __slots__ = ("handle", "number", "raw", "size", "problem", "detail", "bom")

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.number = 0
        self.raw: list[bytes] = []
        self.size = 0
        self.problem: RejectReason | None = None
        self.detail = ""
        self.bom = False

    def reset(self) -> None:
        self.raw.clear()
        self.size = 0
        self.problem = None
        self.detail = ""

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.number += 1
            if self.number == 1 and line.startswith(_BOM):
                line = line[3:]
                self.bom = True
            self.raw.append(line)
            self.size += len(line)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.problem is None:
                    self.problem = RejectReason.INVALID_UTF8
                    self.detail = f"invalid UTF-8 at byte {exc.start} of line {self.number}"
                text = line.decode("utf-8", "replace")
            if "\x00" in text:
                if self.problem is None:
                    self.problem = RejectReason.NUL_BYTE
                    self.detail = f"NUL byte in line {self.number}"
                text = text.replace("\x00", "")
            yield text


def _json_native(value: Any) -> Any:
    """Parquet values → JSON-native values (what the store can keep in `meta`)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dict):
        return {str(k): _json_native(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_native(v) for v in value]
    return str(value)


def _has_bad_text(value: Any) -> str | None:
    """Find a NUL character or lone surrogate in JSON-decoded data (escapes can smuggle both)."""
    if isinstance(value, str):
        if "\x00" in value:
            return "nul"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "surrogate"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _has_bad_text(key) or _has_bad_text(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _has_bad_text(item)
            if found:
                return found
    return None


def json_depth(line: bytes) -> int:
    """Deepest nesting of `[` / `{` in one JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRING.sub(b"", line)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _id_shape(value: str) -> str:
    """Letters → a, digits → 9, runs collapsed: `t1_abc12` → `a9_a9`."""
    mapped = "".join("9" if c.isdigit() else "a" if c.isalpha() else c for c in value.strip())
    return _SHAPE_RUNS.sub(r"\1", mapped)


def _record_start_inside(
    raw_lines: list[bytes], first_field: str, width: int, delimiter: str
) -> int | None:
    """Index of a swallowed line that reads as a record of its own, or None.

    A record that spans lines because a quote was never closed swallows the following
    records; such a line parses alone to exactly `width` fields whose first field has the
    shape of this record's first field (the id column of an export, typically).
    """
    if width < 2 or not first_field.strip() or len(first_field) > 64 or " " in first_field:
        return None
    shape = _id_shape(first_field)
    for index, raw in enumerate(raw_lines[1:], start=1):
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if delimiter not in text:
            continue
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        head = fields[0].strip() if fields else ""
        if (
            len(fields) == width
            and head
            and len(head) <= 64
            and " " not in head
            and _id_shape(head) == shape
        ):
            return index
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class RowStream:
    """An open file read record by record: iterate for `SourceRow` or `RowReject` items.

    Use `open_rows` to make one; `columns` is known as soon as it is open (CSV header,
    Parquet schema, keys of the first JSONL records), before any row is consumed.
    """

    def __init__(
        self,
        path: Path,
        fmt: InputFormat,
        *,
        compressed: bool = False,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
    ) -> None:
        self.path = path
        self.format = fmt
        self.compressed = compressed
        self.max_field_chars = max_field_chars
        self.blank_lines = 0
        """Blank lines skipped (counted, never rows)."""
        self.columns: list[str] = []
        """Column names found in the file, in file order."""
        self.columns_complete = True
        """False when `columns` comes from a sample (JSONL: keys of the first records only)."""
        self._file: IO[bytes] | None = None
        self._handle: IO[bytes] | None = None
        self._parquet: Any = None
        self._rows_done = 0
        self._iterator: Iterator[SourceRow | RowReject]
        self.total = 0
        """Size of the work: file bytes (compressed bytes for .gz) or Parquet rows."""
        self.unit = "rows" if fmt is InputFormat.PARQUET else "bytes"
        """Unit of `total` and `done`."""
        self._open()

    # -- opening ---------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            if self.format is InputFormat.PARQUET:
                self._open_parquet()
                return
            self._file = self.path.open("rb")
            self.total = self.path.stat().st_size
            handle: IO[bytes] = self._file
            if self.compressed:
                handle = cast(IO[bytes], gzip.GzipFile(fileobj=self._file, mode="rb"))
            self._handle = handle
            if self.format is InputFormat.JSONL:
                self._iterator = self._open_jsonl(handle)
            else:
                self._iterator = self._open_csv(handle)
        except OSError as exc:
            self.close()
            raise ValidationError(f"{self.path}: cannot read: {exc}") from exc
        except BaseException:
            self.close()
            raise

    def _open_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self._parquet = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise ValidationError(f"{self.path}: not a readable Parquet file: {exc}") from exc
        self.columns = list(self._parquet.schema_arrow.names)
        self.total = int(self._parquet.metadata.num_rows)
        self._iterator = self._iter_parquet()

    def _open_csv(self, handle: IO[bytes]) -> Iterator[SourceRow | RowReject]:
        # The csv module's limit is process-wide; raise it (never lower it) to our cap so a huge
        # field is read whole and rejected by size instead of derailing the parser.
        if csv.field_size_limit() < self.max_field_chars:
            csv.field_size_limit(self.max_field_chars)
        lines = _Lines(handle)
        delimiter = "\t" if self.format is InputFormat.TSV else ","
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ValidationError(f"{self.path}: the file is empty (no header line)") from None
        except csv.Error as exc:
            raise ValidationError(f"{self.path}:1: unreadable header: {exc}") from exc
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ValidationError(f"{self.path}: cannot read: {exc}") from exc
        if lines.problem is not None:
            raise ValidationError(f"{self.path}:1: unreadable header: {lines.detail}")
        header = [name.strip() for name in header]
        problems = _header_problems(header)
        if problems:
            raise ValidationError(f"{self.path}:1: bad header: {problems}")
        lines.reset()
        self.columns = header
        return self._iter_csv(reader, lines, header)

    def _open_jsonl(self, handle: IO[bytes]) -> Iterator[SourceRow | RowReject]:
        iterator = self._iter_jsonl(handle)
        peeked: list[SourceRow | RowReject] = []
        seen: dict[str, None] = {}
        for result in iterator:
            peeked.append(result)
            if isinstance(result, SourceRow):
                seen.update(dict.fromkeys(result.values))
            if len(peeked) >= _JSONL_PEEK_ROWS:
                self.columns_complete = False  # later records may carry other keys
                break
        self.columns = list(seen)

        def chained() -> Iterator[SourceRow | RowReject]:
            yield from peeked
            peeked.clear()
            yield from iterator

        return chained()

    # -- iterating -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[SourceRow | RowReject]:
        return self._iterator

    def _iter_csv(
        self, reader: Any, lines: _Lines, header: list[str]
    ) -> Iterator[SourceRow | RowReject]:
        width = len(header)
        delimiter = "\t" if self.format is InputFormat.TSV else ","
        start = lines.number + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = str(exc)
                reason = (
                    RejectReason.FIELD_TOO_LARGE
                    if "field larger" in message
                    else RejectReason.MALFORMED_CSV
                )
                yield self._reject_lines(
                    start, reason, f"{message} (lines {start}-{lines.number})", lines
                )
                start = lines.number + 1
                continue
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                # A damaged .gz ends the stream; what was read so far stands.
                yield self._reject_lines(
                    start, RejectReason.TRUNCATED_LAST_LINE, f"file ends early: {exc}", lines
                )
                return
            if not record and lines.problem is None:
                self.blank_lines += lines.number - start + 1
                lines.reset()
                start = lines.number + 1
                continue
            if lines.problem is not None:
                yield self._reject_lines(start, lines.problem, lines.detail, lines)
            elif not lines.raw[-1].endswith(b"\n") and (
                len(record) != width or sum(r.count(b'"') for r in lines.raw) % 2
            ):
                yield self._reject_lines(
                    start,
                    RejectReason.TRUNCATED_LAST_LINE,
                    "the file ends inside this record (no final newline, "
                    + (
                        "unclosed quote)"
                        if len(record) == width
                        else f"{len(record)} of {width} columns)"
                    ),
                    lines,
                )
            elif (
                lines.size > self.max_field_chars
                and (longest := max(len(field) for field in record)) > self.max_field_chars
            ):
                yield self._reject_lines(
                    start,
                    RejectReason.FIELD_TOO_LARGE,
                    f"a field of {longest} characters (the cap is {self.max_field_chars})",
                    lines,
                )
            elif len(record) != width:
                span = f" (lines {start}-{lines.number})" if lines.number > start else ""
                yield self._reject_lines(
                    start,
                    RejectReason.WRONG_COLUMN_COUNT,
                    f"{len(record)} columns, the header has {width}{span}",
                    lines,
                )
            elif len(lines.raw) > 1 and (
                inside := _record_start_inside(lines.raw, record[0], width, delimiter)
            ):
                preview = escape_raw(lines.raw[inside]).rstrip("\r\n")[:60]
                yield self._reject_lines(
                    start,
                    RejectReason.QUOTE_SPANS_ROWS,
                    f"a quoted field runs over lines {start}-{lines.number}, and line "
                    f"{start + inside} inside it reads as a record of its own ({preview!r}): "
                    "probably an unclosed quote; the swallowed rows are in raw",
                    lines,
                )
            else:
                yield SourceRow(start, dict(zip(header, record, strict=True)))
                lines.raw.clear()
                lines.size = 0
            start = lines.number + 1

    def _reject_lines(
        self, start: int, reason: RejectReason, detail: str, lines: _Lines
    ) -> RowReject:
        reject = RowReject(
            line=start, reason=reason, detail=detail, raw=escape_raw(b"".join(lines.raw))
        )
        lines.reset()
        return reject

    def _iter_jsonl(self, handle: IO[bytes]) -> Iterator[SourceRow | RowReject]:
        number = 0
        loads = json.loads
        try:
            for line in handle:
                number += 1
                if number == 1 and line.startswith(_BOM):
                    line = line[3:]
                if not line.strip():
                    self.blank_lines += 1
                    continue
                if b"\x00" in line:
                    yield RowReject(
                        line=number,
                        reason=RejectReason.NUL_BYTE,
                        detail="NUL byte in line",
                        raw=escape_raw(line),
                    )
                    continue
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield RowReject(
                        line=number,
                        reason=RejectReason.INVALID_UTF8,
                        detail=f"invalid UTF-8 at byte {exc.start}",
                        raw=escape_raw(line),
                    )
                    continue
                if (line.count(b"[") + line.count(b"{")) > MAX_JSON_DEPTH and (
                    depth := json_depth(line)
                ) > MAX_JSON_DEPTH:
                    yield RowReject(
                        line=number,
                        reason=RejectReason.TOO_DEEP,
                        detail=f"JSON nested {depth} levels deep (the limit is {MAX_JSON_DEPTH})",
                        raw=escape_raw(line),
                    )
                    continue
                try:
                    value = loads(text, parse_constant=_refuse_constant)
                except RecursionError:
                    yield RowReject(
                        line=number,
                        reason=RejectReason.TOO_DEEP,
                        detail=f"JSON nested too deep (the limit is {MAX_JSON_DEPTH})",
                        raw=escape_raw(line),
                    )
                    continue
                except ValueError as exc:  # JSONDecodeError and refused NaN/Infinity
                    truncated = not line.endswith(b"\n")
                    yield RowReject(
                        line=number,
                        reason=RejectReason.TRUNCATED_LAST_LINE
                        if truncated
                        else RejectReason.MALFORMED_JSON,
                        detail=f"{'no final newline and ' if truncated else ''}invalid JSON: {exc}",
                        raw=escape_raw(line),
                    )
                    continue
                if not isinstance(value, dict):
                    yield RowReject(
                        line=number,
                        reason=RejectReason.NOT_AN_OBJECT,
                        detail=f"a JSON {type(value).__name__}, not an object",
                        raw=escape_raw(line),
                    )
                    continue
                if b"\\u" in line:  # escapes may encode NUL or lone surrogates
                    bad = _has_bad_text(value)
                    if bad is not None:
                        yield RowReject(
                            line=number,
                            reason=RejectReason.NUL_BYTE
                            if bad == "nul"
                            else RejectReason.INVALID_UTF8,
                            detail="\\u0000 escape"
                            if bad == "nul"
                            else "lone surrogate \\u escape (not valid Unicode)",
                            raw=escape_raw(line),
                        )
                        continue
                yield SourceRow(number, value)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield RowReject(
                line=number + 1,
                reason=RejectReason.TRUNCATED_LAST_LINE,
                detail=f"file ends early: {exc}",
                raw="",
            )

    def _iter_parquet(self) -> Iterator[SourceRow | RowReject]:
        number = 0
        for batch in self._parquet.iter_batches(batch_size=10_000):
            for values in batch.to_pylist():
                number += 1
                self._rows_done = number
                clean: dict[str, Any] = {}
                problem: tuple[RejectReason, str] | None = None
                for key, value in values.items():
                    if isinstance(value, bytes):
                        try:
                            value = value.decode("utf-8")
                        except UnicodeDecodeError as exc:
                            problem = (
                                RejectReason.INVALID_UTF8,
                                f"column {key!r}: invalid UTF-8 at byte {exc.start}",
                            )
                            break
                    if isinstance(value, str) and "\x00" in value:
                        problem = (RejectReason.NUL_BYTE, f"column {key!r}: NUL character")
                        break
                    clean[key] = _json_native(value)
                if problem is not None:
                    raw = json.dumps(
                        {
                            k: escape_raw(v) if isinstance(v, bytes) else _json_native(v)
                            for k, v in values.items()
                        },
                        ensure_ascii=False,
                    )
                    yield RowReject(line=number, reason=problem[0], detail=problem[1], raw=raw)
                    continue
                yield SourceRow(number, clean)

    def render(self, values: dict[str, Any]) -> str:
        """A parsed row written back in the file's own format (for the rejects file).

        Args:
            values: The `values` of a `SourceRow` of this stream.

        Returns:
            A CSV/TSV line in header order, or a JSON object for JSONL and Parquet.
        """
        if self.format in (InputFormat.CSV, InputFormat.TSV):
            buffer = io.StringIO()
            delimiter = "\t" if self.format is InputFormat.TSV else ","
            writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
            writer.writerow([values.get(c, "") for c in self.columns])
            return buffer.getvalue()
        return json.dumps(values, ensure_ascii=False)

    # -- progress and closing --------------------------------------------------------------
    @property
    def done(self) -> int:
        """Work done so far, in `unit` (bytes read from disk, or Parquet rows)."""
        if self.format is InputFormat.PARQUET:
            return self._rows_done
        if self._file is None or self._file.closed:
            return self.total
        try:
            return self._file.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        """Close the file."""
        if self._handle is not None and self._handle is not self._file:
            self._handle.close()
        if self._file is not None:
            self._file.close()
        self._parquet = None

    def __enter__(self) -> RowStream:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


def _header_problems(header: list[str]) -> str:
    problems: list[str] = []
    empty = [str(i + 1) for i, name in enumerate(header) if not name]
    if empty:
        problems.append(f"empty column name at position {', '.join(empty)}")
    counts = Counter(header)
    dupes = sorted(name for name, count in counts.items() if name and count > 1)
    if dupes:
        problems.append(f"duplicate column names {', '.join(map(repr, dupes))}")
    return "; ".join(problems)


def open_rows(
    path: Path,
    fmt: InputFormat | None = None,
    *,
    compressed: bool | None = None,
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> RowStream:
    """Open a CSV, TSV, JSONL or Parquet file for streaming, record by record.

    Args:
        path: The file; `.gz` text files are decompressed on the fly.
        fmt: The format (default: from the file name).
        compressed: Whether the file is gzip-compressed (default: sniffed from its first bytes).
        max_field_chars: Largest CSV field read whole; a larger one rejects its row.

    Returns:
        A `RowStream` (a context manager); iterate it for `SourceRow` and `RowReject` items.

    Raises:
        ValidationError: Unknown format, unreadable file, empty file or bad CSV header.

    Example:
        >>> with open_rows(Path("comments.csv")) as rows:  # doctest: +SKIP
        ...     for row in rows:
        ...         print(row.line)
    """
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    if fmt is None:
        fmt, _ = detect_format(path)
    if compressed is None:
        with path.open("rb") as probe:
            compressed = probe.read(2) == _GZIP_MAGIC
    if compressed and fmt is InputFormat.PARQUET:
        raise ValidationError(f"{path}: gzip-compressed Parquet is not supported")
    return RowStream(path, fmt, compressed=compressed, max_field_chars=max_field_chars)
