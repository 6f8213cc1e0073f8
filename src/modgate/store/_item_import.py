"""Import items from CSV / TSV / JSONL (optionally .gz) / Parquet exports, streaming.

Rows are read one at a time (`open_rows`), checked and turned into items-table rows directly
(no per-row pydantic model: this is the hot path of a million-row import), de-duplicated by id
within the file (first wins), and written in batches through `write_item_rows` — one
transaction per batch, so memory stays bounded and a crash keeps what was committed (re-running
is idempotent). Every row that cannot be taken goes to the rejects file with its line number
and reason; the report counts them by reason.

Nothing lands unaccounted: the rejects file is created before the first batch is committed
(a path that cannot be written stops the import with nothing imported), each committed batch
writes an `items.import.batch` audit event in its own transaction, and an import that stops
part-way (an error, Ctrl-C) records `items.import` with `interrupted: true`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from modgate.domain import CONTRIBUTOR_QUALITY, ParentPost
from modgate.errors import StoreError
from modgate.store._audit import record_audit_event
from modgate.store._engine import Store
from modgate.store._item_mapping import ItemMapping, ResolvedMapping, resolve_mapping
from modgate.store._items import row_content_hash, write_item_rows
from modgate.store._readers import (
    DEFAULT_MAX_FIELD_CHARS,
    InputFormat,
    RejectReason,
    RowReject,
    RowStream,
    open_rows,
)
from modgate.store._rejects import RejectsWriter, default_rejects_path
from modgate.store._seen_ids import DEFAULT_SPILL_AFTER, SeenIds
from modgate.store._timestamps import parse_timestamp

ProgressCallback = Callable[[int, int, str], None]
"""Called as `(done, total, unit)` after each batch; unit is "bytes" or "rows"."""

_KINDS = {
    "post": "post",
    "comment": "comment",
    "message": "message",
    "other": "other",
    "submission": "post",
    "link": "post",
    "t3": "post",
    "reply": "comment",
    "t1": "comment",
    "dm": "message",
    "t4": "message",
}
_MAX_CHARS = {"id": 512, "community": 256, "author_id": 512, "parent_id": 512, "language": 16}
_TEXT_FIELDS = ("title", "parent_text")
_SQLITE_CACHE_KIB = 64 * 1024
_PLAIN_FIELDS = ("community", "url", "author_id", "parent_id", "language")
_FLAG_FIELDS = ("is_edited", "is_top_level")
_AUTHOR_FIELDS = {
    "author_flair": "flair",
    "author_flair_css_class": "flair_css_class",
    "author_flair_template_id": "flair_template_id",
    "author_contributor_quality": "contributor_quality",
}
_PARENT_POST_PREFIX = "parent_post_"
_PARENT_POST_FIELDS = tuple(f"{_PARENT_POST_PREFIX}{f}" for f in ParentPost.model_fields)
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_MAX_SIDE_CHARS = 1000


class ImportReport(BaseModel):
    """What an import did: counts of rows taken and rejected, and where the rejects are."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    """The imported file."""
    format: str
    """Its format (csv, tsv, jsonl, parquet)."""
    mapping: dict[str, str]
    """Item field → source column used."""
    rows_read: int
    """Records read (accepted + rejected)."""
    accepted: int
    """Rows that became items (inserted + updated + unchanged)."""
    inserted: int
    """New items."""
    updated: int
    """Existing items whose content changed (audited)."""
    unchanged: int
    """Existing items with identical content (left alone)."""
    rejected: int
    """Rows written to the rejects file."""
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)
    """Rejected rows by reason (see `RejectReason`)."""
    blank_lines: int = 0
    """Blank lines skipped."""
    rejects_path: str | None = None
    """The rejects file, or None when nothing was rejected."""
    import_id: str = ""
    """Id linking this import's audit events (`items.import.batch`, `items.import`)."""
    batches: int = 0
    """Batches committed (each audited as `items.import.batch`)."""
    seconds: float = 0.0
    """Wall-clock time of the import."""


class _RowBuilder:
    """Turns a source record into an items-table row, or says why it cannot."""

    def __init__(self, mapping: ResolvedMapping, *, max_text_bytes: int, now: datetime) -> None:
        self.columns = mapping.columns
        self.defaults = mapping.defaults
        self.consumed = mapping.consumed
        self.max_text_bytes = max_text_bytes
        self.now = now
        self.id_column = mapping.columns.get("id")
        self.text_column = mapping.columns.get("text")
        fed = set(mapping.columns) | set(mapping.defaults)
        # Only fields with a column or a default are looked at per row; the rest stay None.
        self.text_fields = tuple(f for f in _TEXT_FIELDS if f in fed)
        self.plain_fields = tuple(f for f in _PLAIN_FIELDS if f in fed)
        self.flag_fields = tuple(f for f in _FLAG_FIELDS if f in fed)
        self.author_fields = tuple(f for f in _AUTHOR_FIELDS if f in fed)
        self.parent_fields = tuple(f for f in _PARENT_POST_FIELDS if f in fed)
        self.blank = dict.fromkeys((*_TEXT_FIELDS, *_PLAIN_FIELDS))

    def _side_fields(self, values: dict[str, Any], row: dict[str, Any]) -> tuple[str, str] | None:
        """Edited / top-level flags, author flair and quality, the parent post; or a reject."""
        row["author"] = None
        for field in self.flag_fields:
            flag = _flag(self._value(values, field))
            if isinstance(flag, str):
                return RejectReason.INVALID_VALUE, f"{field}: {flag}"
            row[field] = flag
        author: dict[str, Any] = {}
        for field in self.author_fields:
            value = self._value(values, field)
            if value is None:
                continue
            text = str(value).strip()
            if field == "author_contributor_quality":
                text = text.lower()
                if text not in CONTRIBUTOR_QUALITY:
                    allowed = ", ".join(CONTRIBUTOR_QUALITY)
                    return RejectReason.INVALID_VALUE, f"{field} {text[:50]!r} is not {allowed}"
            elif len(text) > _MAX_SIDE_CHARS:
                return RejectReason.INVALID_VALUE, f"{field} longer than {_MAX_SIDE_CHARS}"
            author[_AUTHOR_FIELDS[field]] = text
        row["author"] = author or None
        parent: dict[str, Any] = {}
        for field in self.parent_fields:
            value = self._value(values, field)
            if value is None:
                continue
            name = field.removeprefix(_PARENT_POST_PREFIX)
            if name == "is_edited":
                flag = _flag(value)
                if isinstance(flag, str):
                    return RejectReason.INVALID_VALUE, f"{field}: {flag}"
                value = flag
            elif name == "reports":
                if type(value) is not int and not (isinstance(value, str) and value.isdigit()):
                    return RejectReason.INVALID_VALUE, f"{field} {value!r} is not a count"[:200]
                value = int(value)
            elif isinstance(value, dict | list):
                return RejectReason.INVALID_VALUE, f"{field} is a JSON {type(value).__name__}"
            else:
                value = str(value)
                if self._too_long(value):
                    return RejectReason.TEXT_TOO_LARGE, f"{field} over {self.max_text_bytes} bytes"
            parent[name] = value
        row["parent_post"] = parent or None
        return None

    def _value(self, values: dict[str, Any], field: str) -> Any:
        column = self.columns.get(field)
        value = values.get(column) if column is not None else None
        if value is None or value == "":
            return self.defaults.get(field)
        return value

    def _too_long(self, text: str) -> bool:
        limit = self.max_text_bytes
        # A str of n characters encodes to n..4n bytes: encode only when it could matter.
        return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)

    def build(self, values: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
        """A row for the items table, or `(reason, detail)`."""
        item_id = self._value(values, "id")
        if type(item_id) is not str:
            if item_id is None:
                return RejectReason.MISSING_ID, f"no value in column {self.id_column!r}"
            if type(item_id) is not int:
                return RejectReason.INVALID_VALUE, f"id is a {type(item_id).__name__}"
            item_id = str(item_id)
        if not item_id.strip():
            return RejectReason.MISSING_ID, f"blank value in column {self.id_column!r}"
        if len(item_id) > 512:
            return RejectReason.INVALID_VALUE, f"id longer than 512 characters ({len(item_id)})"
        body = self._value(values, "text")
        if type(body) is not str:
            if body is None:
                return RejectReason.MISSING_TEXT, f"no value in column {self.text_column!r}"
            if isinstance(body, dict | list):
                return RejectReason.INVALID_VALUE, f"text is a JSON {type(body).__name__}"
            body = str(body)
        if body.isspace():
            return RejectReason.MISSING_TEXT, f"only whitespace in column {self.text_column!r}"
        if self._too_long(body):
            return (
                RejectReason.TEXT_TOO_LARGE,
                f"text of {len(body.encode())} bytes (limit {self.max_text_bytes})",
            )
        row: dict[str, Any] = {"id": item_id, "body": body, **self.blank}
        for field in self.text_fields:
            value = self._value(values, field)
            if value is not None:
                if isinstance(value, dict | list):
                    return RejectReason.INVALID_VALUE, f"{field} is a JSON {type(value).__name__}"
                value = str(value)
                if self._too_long(value):
                    return RejectReason.TEXT_TOO_LARGE, f"{field} over {self.max_text_bytes} bytes"
            row[field] = value
        for field in self.plain_fields:
            value = self._value(values, field)
            if value is not None:
                if type(value) is not str:
                    if isinstance(value, dict | list | bool):
                        return (
                            RejectReason.INVALID_VALUE,
                            f"{field} is a {type(value).__name__}: {value!r}"[:200],
                        )
                    value = str(value)
                limit = _MAX_CHARS.get(field)
                if limit is not None and len(value) > limit:
                    return (
                        RejectReason.INVALID_VALUE,
                        f"{field} longer than {limit} characters ({len(value)})",
                    )
            row[field] = value
        kind = self._value(values, "kind")
        if kind is None:
            row["kind"] = "other"
        else:
            normal = _KINDS.get(str(kind).strip().lower())
            if normal is None:
                return (
                    RejectReason.INVALID_VALUE,
                    f"kind {str(kind)[:50]!r} is not post, comment, message or other",
                )
            row["kind"] = normal
        created = self._value(values, "created_at")
        if created is not None:
            try:
                created = parse_timestamp(created)
            except ValueError as exc:
                return RejectReason.BAD_TIMESTAMP, str(exc)[:300]
        row["created_at"] = created
        side = self._side_fields(values, row)
        if side is not None:
            return side
        consumed = self.consumed
        row["meta"] = {k: v for k, v in values.items() if k not in consumed}
        row["content_hash"] = row_content_hash(row)
        row["imported_at"] = self.now
        row["updated_at"] = self.now
        return row


def _flag(value: Any) -> bool | None | str:
    """A yes/no value, or a str saying what is wrong with it.

    Booleans, true/false/yes/no/1/0, or Reddit's `edited` (false or the time of the edit, so
    a number other than 0 means edited).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    try:
        return float(text) != 0
    except ValueError:
        return f"{str(value)[:50]!r} is not true/false"


def import_items(
    store: Store,
    path: Path,
    *,
    actor: str,
    mapping: ItemMapping | None = None,
    fmt: InputFormat | None = None,
    rejects_path: Path | None = None,
    workspace: Path | None = None,
    max_text_bytes: int = 1_000_000,
    batch_size: int = 5000,
    on_progress: ProgressCallback | None = None,
    spill_ids_after: int = DEFAULT_SPILL_AFTER,
) -> ImportReport:
    """Import items from a CSV, TSV, JSONL (optionally .gz) or Parquet file.

    Valid rows are inserted (new ids), updated and audited (changed content) or left alone
    (identical content), so re-importing a file changes nothing. Rows that cannot be taken —
    unreadable bytes, malformed records, missing id or text, texts over `max_text_bytes`, bad
    timestamps or kinds, ids already seen earlier in the file — go to the rejects file with
    their line number and reason. The import itself is audited (`items.import`).

    Args:
        store: The store to write to.
        path: The file.
        actor: Who imports, for the audit log.
        mapping: Column mapping (default: columns named like the Item fields).
        fmt: File format (default: from the file name).
        rejects_path: Where to write rejected rows (default: `default_rejects_path`).
        workspace: The workspace; the default rejects path is inside it (`rejects/`).
        max_text_bytes: Largest body, title or parent text accepted (UTF-8 bytes).
        batch_size: Rows per write transaction.
        on_progress: Called with `(done, total, unit)` after every batch.
        spill_ids_after: Ids kept in memory for duplicate detection before moving to disk.

    Returns:
        The import report (check `rejected`).

    Raises:
        ValidationError: The file cannot be read as the format, has no usable mapping (the
            message lists the columns found and suggests a mapping), or the rejects file
            cannot be created (a symbolic link, an unwritable folder): nothing is imported.
        StoreError: The store is read-only, or a batch could not be written (earlier batches
            stay, and are audited).

    Example:
        >>> report = import_items(store, Path("comments.csv"), actor="ana",  # doctest: +SKIP
        ...     mapping=ItemMapping(columns={"text": "body", "id": "comment_id"}))
    """
    if store.read_only:
        raise StoreError(
            f"the database is read-only ({store.url}): an import writes",
            hint="run imports where the workspace folder and modgate.db are writable",
        )
    started = time.perf_counter()
    now = datetime.now(UTC)
    source = str(path)
    rejects_file = rejects_path or default_rejects_path(path, workspace)
    totals = {"inserted": 0, "updated": 0, "unchanged": 0, "batches": 0}
    import_id = uuid.uuid4().hex
    rows_read = 0
    max_field = max(DEFAULT_MAX_FIELD_CHARS, 4 * max_text_bytes)
    with (
        open_rows(path, fmt, max_field_chars=max_field) as stream,
        RejectsWriter(rejects_file) as rejects,
        SeenIds(spill_ids_after) as seen_ids,
        store.connect() as conn,
    ):
        # One connection for the whole import keeps SQLite's page cache warm across batches
        # (the store's pool opens a fresh SQLite connection per checkout); a larger WAL
        # checkpoint interval means fewer fsyncs during the bulk load.
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint=16384")
            conn.commit()
        resolved = resolve_mapping(
            stream.columns,
            mapping or ItemMapping(),
            source=source,
            columns_complete=stream.columns_complete,
        )
        builder = _RowBuilder(resolved, max_text_bytes=max_text_bytes, now=now)
        build = builder.build
        pending: dict[str, tuple[int, dict[str, Any], dict[str, Any]]] = {}

        def flush() -> None:
            if not pending:
                return
            span = [line for line, _, _ in pending.values()]
            seen = seen_ids.take(list(pending))
            rows = []
            for item_id, (line, values, row) in pending.items():
                if item_id in seen:
                    rejects.write(
                        RowReject(
                            line=line,
                            reason=RejectReason.DUPLICATE_ID,
                            detail=f"id {item_id!r} was taken from an earlier line",
                            raw=stream.render(values),
                        )
                    )
                else:
                    rows.append(row)
            pending.clear()
            rejects.flush()  # the rejects of these lines are on disk before the rows commit
            try:
                with conn.begin():
                    result = write_item_rows(conn, rows, actor=actor, source=source, now=now)
                    record_audit_event(
                        conn,
                        actor=actor,
                        action="items.import.batch",
                        object_type="items",
                        object_id=source,
                        details={
                            "import_id": import_id,
                            "batch": totals["batches"] + 1,
                            "lines": [min(span), max(span)],
                            "inserted": result.inserted,
                            "updated": result.updated,
                            "unchanged": result.unchanged,
                            "rejected_so_far": rejects.total,
                        },
                    )
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"{source}: writing the rows of lines {min(span)}-{max(span)} failed: "
                    f"{getattr(exc, 'orig', None) or exc}",
                    hint="earlier batches are imported; fix the cause and run the import "
                    "again (it is idempotent)",
                ) from exc
            totals["inserted"] += result.inserted
            totals["updated"] += result.updated
            totals["unchanged"] += result.unchanged
            totals["batches"] += 1
            if on_progress is not None:
                on_progress(stream.done, stream.total, stream.unit)

        try:
            rows_read = _read_all(stream, rejects, build, pending, batch_size, flush)
        except BaseException as exc:
            _record_interrupted(
                store,
                actor=actor,
                source=source,
                import_id=import_id,
                totals=totals,
                rejected=rejects.total,
                error=exc,
            )
            raise

        blank = stream.blank_lines
        fmt_used = stream.format
    report = ImportReport(
        source=source,
        format=fmt_used.value,
        mapping=dict(resolved.columns),
        rows_read=rows_read,
        accepted=totals["inserted"] + totals["updated"] + totals["unchanged"],
        inserted=totals["inserted"],
        updated=totals["updated"],
        unchanged=totals["unchanged"],
        rejected=rejects.total,
        rejected_by_reason=dict(sorted(rejects.counts.items())),
        blank_lines=blank,
        rejects_path=str(rejects.written) if rejects.written else None,
        import_id=import_id,
        batches=totals["batches"],
        seconds=round(time.perf_counter() - started, 3),
    )
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action="items.import",
            object_type="items",
            object_id=source,
            details={**report.model_dump(exclude={"mapping", "seconds"}), "interrupted": False},
        )
    return report


_Pending = dict[str, tuple[int, dict[str, Any], dict[str, Any]]]


def _read_all(
    stream: RowStream,
    rejects: RejectsWriter,
    build: Callable[[dict[str, Any]], dict[str, Any] | tuple[str, str]],
    pending: _Pending,
    batch_size: int,
    flush: Callable[[], None],
) -> int:
    """Read every record: rejects to the rejects file, rows into batches. Returns rows read."""
    rows_read = 0
    for record in stream:
        rows_read += 1
        if isinstance(record, RowReject):
            rejects.write(record)
            continue
        line, values = record
        built = build(values)
        if isinstance(built, tuple):
            reason, detail = built
            rejects.write(
                RowReject(line=line, reason=reason, detail=detail, raw=stream.render(values))
            )
            continue
        row = built
        first = pending.get(row["id"])
        if first is not None:
            rejects.write(
                RowReject(
                    line=line,
                    reason=RejectReason.DUPLICATE_ID,
                    detail=f"id {row['id']!r} was taken from line {first[0]}",
                    raw=stream.render(values),
                )
            )
            continue
        pending[row["id"]] = (line, values, row)
        if len(pending) >= batch_size:
            flush()
    flush()
    return rows_read


def _record_interrupted(
    store: Store,
    *,
    actor: str,
    source: str,
    import_id: str,
    totals: dict[str, int],
    rejected: int,
    error: BaseException,
) -> None:
    """Audit an import that stopped part-way (best effort: the batch events already stand)."""
    if not totals["batches"]:
        return
    try:
        with store.begin() as conn:
            record_audit_event(
                conn,
                actor=actor,
                action="items.import",
                object_type="items",
                object_id=source,
                details={
                    "source": source,
                    "import_id": import_id,
                    "interrupted": True,
                    "error": f"{type(error).__name__}: {error}"[:500],
                    "batches": totals["batches"],
                    "inserted": totals["inserted"],
                    "updated": totals["updated"],
                    "unchanged": totals["unchanged"],
                    "rejected": rejected,
                },
            )
    except Exception:  # noqa: BLE001 - the original error matters more than this event
        return
