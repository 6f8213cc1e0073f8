"""Golden-set import and export: CSV, JSONL and Parquet, in two shapes.

* `annotations`: one row per (item, annotator, label). A row without an annotator is an
  anonymous label; with a `votes` column it stands for that many anonymous votes.
* `votes`: one row per item with one vote-count column per class (`<class>_votes`, as
  crowd-labeled sets such as Davidson et al. ship them).

Rows go through the generic streaming reader of `modgate.store` and follow the items-import
contract: every bad row lands in the rejects file with its line and reason, good rows land,
nothing is lost (unused columns are kept in the item's `meta`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item
from modgate.errors import ValidationError
from modgate.golden import _repo
from modgate.golden._adjudicate import load_resolved
from modgate.golden._schema import Annotation, GoldenItem, GoldenSetConfig, TrainingRow
from modgate.golden._sets import ensure_golden_set
from modgate.store import (
    RejectReason,
    RejectsWriter,
    RowReject,
    SourceRow,
    Store,
    UpsertResult,
    default_rejects_path,
    open_rows,
    record_audit_event,
    write_items,
)

Shape = Literal["annotations", "votes"]
_SPLIT_LIST = re.compile(r"[;,|]")


class ImportOptions(BaseModel):
    """How to read a golden-set file: shape, column names, label mapping."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shape: Shape = "annotations"
    """annotations (one row per item × annotator × label) or votes (per-class counts)."""
    policy: str | None = None
    """Policy of every row that has no policy column value."""
    label_map: dict[str, str] = Field(default_factory=dict)
    """Raw label (or vote class) → stored label; unmapped raw labels are rejected when set."""
    id_column: str = "id"
    """Item id column."""
    text_column: str = "text"
    """Item text column."""
    annotator_column: str = "annotator"
    """Annotator id column (annotations shape; empty = anonymous)."""
    label_column: str = "label"
    """Label column (annotations shape)."""
    votes_column: str = "votes"
    """Vote count of an anonymous label (annotations shape; default 1)."""
    vote_suffix: str = "_votes"
    """Suffix of the per-class vote-count columns (votes shape); `meta.` prefixes are dropped."""
    policy_column: str = "policy"
    """Policy column."""
    tags_column: str = "tags"
    """Tags column (list, or text separated by ; , or |)."""
    allowed_column: str = "allowed"
    """Allowed-context ids column."""
    criteria_column: str = "criteria"
    """Criteria ids column."""
    rationale_column: str = "rationale"
    """Rationale column."""
    source_column: str = "source"
    """Source column."""
    group_column: str = "group"
    """Group column (thread, conversation…) kept together in splits."""
    community_column: str = "community"
    """Community column."""
    parent_column: str = "parent_id"
    """Parent item id column (thread)."""
    origin: str | None = None
    """Name of this import (default: the file name); re-importing the same origin replaces
    its annotations instead of adding to them."""
    batch_size: int = Field(default=5000, ge=1)
    """Items per database transaction."""
    policy_map: dict[str, str] = Field(default_factory=dict)
    """Raw policy value → published policy id (`--map policy:RAW=ID`)."""
    multi_label: bool = False
    """The label column holds a list of taxonomy categories (JSON list or `;`-separated)."""
    category_columns: tuple[str, ...] = ()
    """One 0/1 column per taxonomy category (the label column is then not read)."""
    category_map: dict[str, str] = Field(default_factory=dict)
    """Category → criterion id of the policy (`--map category:RAW=CRITERION`); a category
    mapped to `-` is a non-violation (e.g. `neither`). Unmapped categories are rejected when
    a map is given, else the category is the criterion id."""


class ImportResult(BaseModel):
    """What a golden-set import did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    set_name: str
    """Golden set."""
    rows: int
    """Rows read (accepted + rejected)."""
    items: int
    """Distinct items accepted."""
    annotations: int
    """Annotation rows written."""
    votes: int
    """Votes those annotations stand for."""
    items_written: UpsertResult
    """Items table: inserted / updated / unchanged."""
    rejected: int
    """Rows rejected."""
    reject_reasons: dict[str, int]
    """Rejected rows by reason."""
    rejects_path: str | None
    """Rejects file (None when nothing was rejected)."""
    blank_lines: int
    """Blank lines skipped."""
    warnings: tuple[str, ...] = ()
    """What the import could not check (e.g. no policy published to check the policy column)."""


class _RowError(Exception):
    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        flat[key] = value
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat.setdefault(f"{key}.{sub}", inner)
    return flat


def _text(values: Mapping[str, Any], column: str) -> str | None:
    value = values.get(column)
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from Parquet/pandas exports
        return None
    if isinstance(value, dict | list):
        raise _RowError(
            RejectReason.INVALID_VALUE, f"{column}: expected a single value, got {value!r}"
        )
    text = str(value).strip() if not isinstance(value, str) else value.strip()
    return text or None


def stored_text(value: Any) -> str | None:
    """Item text as `items import` stores it: as written (no stripping); None when missing.

    Empty text, text of whitespace only and NaN count as missing, as in `items import`, so
    importing the same rows through either command stores the same item (no update event).
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dict | list):
        raise _RowError(RejectReason.INVALID_VALUE, f"text is a JSON {type(value).__name__}")
    text = value if isinstance(value, str) else str(value)
    return None if not text or text.isspace() else text


_TRUE = {"1", "1.0", "true", "yes", "y", "x"}
_FALSE = {"", "0", "0.0", "false", "no", "n"}


def _flag(value: Any, column: str) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    key = str(value).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _RowError(RejectReason.INVALID_VALUE, f"{column}: {value!r} is not 0/1")


def _list(values: Mapping[str, Any], column: str) -> tuple[str, ...]:
    value = values.get(column)
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        parts = [str(v).strip() for v in value]
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                loaded = json.loads(stripped)
            except json.JSONDecodeError:
                loaded = None
            if isinstance(loaded, list):
                return tuple(sorted({str(v).strip() for v in loaded if str(v).strip()}))
        parts = [p.strip() for p in _SPLIT_LIST.split(value)]
    else:
        raise _RowError(
            RejectReason.INVALID_VALUE, f"{column}: expected a list or text, got {value!r}"
        )
    return tuple(sorted({p for p in parts if p}))


def _count(value: Any, column: str) -> int:
    if value is None or value == "":
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _RowError(
            RejectReason.INVALID_VALUE, f"{column}: {value!r} is not a vote count"
        ) from None
    if number < 0 or number != int(number):
        raise _RowError(
            RejectReason.INVALID_VALUE, f"{column}: {value!r} is not a whole number >= 0"
        )
    return int(number)


NOT_VIOLATING = "-"
"""Criterion value of a taxonomy category that is no violation (`--map category:neither=-`)."""


@dataclass
class _Parser:
    options: ImportOptions
    config: GoldenSetConfig
    published: dict[str, set[int]] | None = None
    vote_columns: dict[str, str] = field(default_factory=dict)
    consumed: set[str] = field(default_factory=set)

    def policy(self, raw: str | None) -> str | None:
        o = self.options
        if raw is None:
            return o.policy
        mapped = o.policy_map.get(raw, raw)
        if self.published is None:
            return mapped
        policy_id, _, version = mapped.partition("@")
        known = self.published.get(policy_id)
        if known is None or (version.isdigit() and int(version) not in known):
            listed = ", ".join(f"{p}@{max(v)}" for p, v in sorted(self.published.items())) or "none"
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"{o.policy_column}: policy {mapped!r} is not published (published: {listed})",
            )
        return mapped

    def categories(self, item_id: str, flat: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
        """Gold label and criteria ids of a multi-label row."""
        o = self.options
        if o.category_columns:
            missing = [c for c in o.category_columns if c not in flat]
            if missing:
                raise _RowError(RejectReason.INVALID_VALUE, f"no category columns {missing}")
            chosen = [c for c in o.category_columns if _flag(flat.get(c), c)]
        else:
            chosen = list(_list(flat, o.label_column))
        criteria: set[str] = set()
        for category in chosen:
            if o.category_map:
                if category not in o.category_map:
                    raise _RowError(
                        RejectReason.INVALID_VALUE,
                        f"category {category!r} is not in the category map "
                        f"({', '.join(sorted(o.category_map))})",
                    )
                mapped = o.category_map[category]
            else:
                mapped = category
            if mapped != NOT_VIOLATING:
                criteria.add(mapped)
        label = "violating" if criteria else "non_violating"
        return self.label(label, o.label_column), tuple(sorted(criteria))

    def setup(self, columns: Iterable[str]) -> None:
        o = self.options
        self.consumed = {
            o.id_column, o.text_column, o.policy_column, o.tags_column, o.allowed_column,
            o.criteria_column, o.rationale_column, o.source_column, o.group_column,
            o.community_column, o.parent_column,
        }  # fmt: skip
        if o.shape == "annotations":
            self.consumed |= {o.annotator_column, o.label_column, o.votes_column}
            self.consumed |= set(o.category_columns)
        else:
            for column in columns:
                if column.endswith(o.vote_suffix) and len(column) > len(o.vote_suffix):
                    raw = column[: -len(o.vote_suffix)].rsplit(".", 1)[-1]
                    self.vote_columns[column] = raw

    def add_nested_vote_columns(self, flat: Mapping[str, Any]) -> None:
        suffix = self.options.vote_suffix
        for column in flat:
            if column.endswith(suffix) and column not in self.vote_columns:
                raw = column[: -len(suffix)].rsplit(".", 1)[-1]
                if raw:
                    self.vote_columns[column] = raw

    def label(self, raw: str, column: str) -> str:
        mapped = self.options.label_map.get(raw)
        if mapped is None:
            if self.options.label_map and raw not in self.options.label_map.values():
                raise _RowError(
                    RejectReason.INVALID_VALUE,
                    f"{column}: label {raw!r} is not in --map "
                    f"({', '.join(sorted(self.options.label_map))})",
                )
            mapped = raw
        if self.config.labels is not None and mapped not in self.config.labels:
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"{column}: label {mapped!r} is not one of the set's labels "
                f"{list(self.config.labels)}",
            )
        return mapped

    def parse(self, values: Mapping[str, Any]) -> tuple[Item, GoldenItem, list[Annotation]]:
        o = self.options
        flat = _flatten(values)
        item_id = _text(flat, o.id_column)
        if item_id is None:
            raise _RowError(RejectReason.MISSING_ID, f"no value in id column {o.id_column!r}")
        if len(item_id) > 512:
            raise _RowError(RejectReason.INVALID_VALUE, "id longer than 512 characters")
        text = stored_text(flat.get(o.text_column))
        if text is None:
            raise _RowError(RejectReason.MISSING_TEXT, f"no value in text column {o.text_column!r}")
        policy = self.policy(_text(flat, o.policy_column))
        if policy is None:
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"no policy: the row has no {o.policy_column!r} value and no --policy was given",
            )
        row_criteria: tuple[str, ...] = ()
        if o.shape == "votes":
            annotations = self._votes(item_id, flat)
        elif o.multi_label or o.category_columns:
            label, row_criteria = self.categories(item_id, flat)
            annotations = [self._annotation(item_id, flat, label=label)]
        else:
            annotations = [self._annotation(item_id, flat)]
        meta: dict[str, Any] = {}
        for key, value in values.items():
            if key in self.consumed or key in self.vote_columns:
                continue
            if key == "meta" and isinstance(value, dict):
                meta.update(value)
            else:
                meta[key] = value
        item = Item(
            id=item_id,
            body=text,
            community=_text(flat, o.community_column),
            parent_id=_text(flat, o.parent_column),
            meta=meta,
        )
        golden = GoldenItem(
            item_id=item_id,
            policy=policy,
            tags=_list(flat, o.tags_column),
            allowed=_list(flat, o.allowed_column),
            criteria=tuple(sorted({*_list(flat, o.criteria_column), *row_criteria})),
            source=_text(flat, o.source_column),
            group=_text(flat, o.group_column),
        )
        return item, golden, annotations

    def _annotation(
        self, item_id: str, flat: Mapping[str, Any], *, label: str | None = None
    ) -> Annotation:
        o = self.options
        raw = label if label is not None else _text(flat, o.label_column)
        if raw is None:
            raise _RowError(
                RejectReason.INVALID_VALUE, f"no value in label column {o.label_column!r}"
            )
        annotator = _text(flat, o.annotator_column)
        votes = 1
        if flat.get(o.votes_column) not in (None, ""):
            votes = _count(flat[o.votes_column], o.votes_column)
            if votes == 0:
                raise _RowError(RejectReason.INVALID_VALUE, f"{o.votes_column}: 0 votes")
        if annotator is not None and votes != 1:
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"{o.votes_column}: a named annotator gives one vote, got {votes}",
            )
        return Annotation(
            item_id=item_id,
            annotator=annotator,
            label=raw if label is not None else self.label(raw, o.label_column),
            votes=votes,
            rationale=_text(flat, o.rationale_column),
        )

    def _votes(self, item_id: str, flat: Mapping[str, Any]) -> list[Annotation]:
        self.add_nested_vote_columns(flat)
        if not self.vote_columns:
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"no vote-count columns (names ending in {self.options.vote_suffix!r})",
            )
        totals: dict[str, int] = {}
        for column, raw in self.vote_columns.items():
            count = _count(flat.get(column), column)
            if count:
                label = self.label(raw, column)
                totals[label] = totals.get(label, 0) + count
        if not totals:
            raise _RowError(RejectReason.INVALID_VALUE, "every vote count is 0 or empty")
        rationale = _text(flat, self.options.rationale_column)
        return [
            Annotation(item_id=item_id, label=label, votes=count, rationale=rationale)
            for label, count in sorted(totals.items())
        ]


@dataclass
class _Batch:
    items: dict[str, Item] = field(default_factory=dict)
    golden: dict[str, GoldenItem] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)


def import_golden_file(
    store: Store,
    name: str,
    path: Path,
    options: ImportOptions,
    *,
    actor: str,
    config: GoldenSetConfig | None = None,
    rejects_path: Path | None = None,
) -> ImportResult:
    """Import a golden-set file (creating the set if needed).

    Items go to the items table through the items repository; golden facets and annotations
    to the golden tables. Re-importing a file replaces the annotations it brought last time
    (same origin) and leaves adjudicated gold labels alone.

    Item text is stored as written, by the same rule as `items import` (`stored_text`). The
    policy column (after `policy_map`) is checked against the published policies; a row naming
    another is rejected with the published ones listed (when no policy is published at all the
    result says it could not check). Multi-label rows (`multi_label`, `category_columns`)
    become criteria ids via `category_map` and a binary gold label (violating when any
    category maps to a criterion). A set this import created is removed again when the import
    fails or accepts no row.

    Args:
        store: The store.
        name: Golden set (created when missing).
        path: CSV, TSV, JSONL (optionally .gz) or Parquet file.
        options: Shape, columns and label mapping.
        actor: Who imports (audit log).
        config: Config to create the set with, or to replace its config with.
        rejects_path: Where rejected rows go (default `<file>.rejects.jsonl`).

    Returns:
        Counts; `rejected > 0` means some rows are in the rejects file.

    Raises:
        ValidationError: The file cannot be read at all (format, header).
    """
    with store.connect() as conn:
        existed = _repo.set_exists(conn, name)
        published = _repo.published_policies(conn)
    config = ensure_golden_set(store, name, actor=actor, config=config)
    try:
        outcome = _import_rows(
            store, name, path, options, config, actor=actor, rejects_path=rejects_path,
            published=published or None,
        )  # fmt: skip
    except BaseException:
        if not existed:
            _drop_new_set(store, name, actor=actor, reason="the import failed")
        raise
    if not existed and outcome.items == 0:
        _drop_new_set(store, name, actor=actor, reason="no row was accepted")
    return outcome


def _drop_new_set(store: Store, name: str, *, actor: str, reason: str) -> None:
    """Remove a set this import created, so a failed import leaves no empty set behind."""
    with store.begin() as conn:
        deleted = _repo.delete_set(conn, name)
        record_audit_event(
            conn, actor=actor, action="golden.delete", object_type="golden_set", object_id=name,
            details={"deleted": deleted, "reason": reason},
        )  # fmt: skip


def _import_rows(
    store: Store,
    name: str,
    path: Path,
    options: ImportOptions,
    config: GoldenSetConfig,
    *,
    actor: str,
    rejects_path: Path | None,
    published: dict[str, set[int]] | None,
) -> ImportResult:
    origin = options.origin or path.name
    parser = _Parser(options, config, published)
    first_line: dict[tuple[str, str | None], int] = {}
    item_texts: dict[str, tuple[int, str]] = {}
    replaced: set[str] = set()
    written = UpsertResult()
    rows = annotation_rows = votes = 0
    batch = _Batch()
    now = datetime.now(UTC)

    def flush() -> None:
        nonlocal written
        if not batch.items:
            return
        fresh = [i for i in batch.items if i not in replaced]
        fresh_set = set(fresh)
        with store.begin() as conn:
            known = _repo.existing_items(conn, list(batch.items))
            merged = [_merge_item(known.get(i.id), i) for i in batch.items.values()]
            written += write_items(conn, merged, actor=actor, source=origin)
            _repo.upsert_golden_items(conn, name, list(batch.golden.values()), now=now)
            _repo.replace_annotations(
                conn,
                name,
                fresh,
                [a for a in batch.annotations if a.item_id in fresh_set],
                origin=origin,
                actor=actor,
                now=now,
            )
            _repo.insert_annotations(
                conn,
                name,
                [a for a in batch.annotations if a.item_id not in fresh_set],
                origin=origin,
                actor=actor,
                now=now,
            )
        replaced.update(fresh)
        batch.items.clear()
        batch.golden.clear()
        batch.annotations.clear()

    with (
        open_rows(path) as stream,
        RejectsWriter(rejects_path or default_rejects_path(path)) as rejects,
    ):
        parser.setup(stream.columns)
        for result in stream:
            rows += 1
            if isinstance(result, RowReject):
                rejects.write(result)
                continue
            try:
                item, golden, annotations = _accept(
                    parser, result, first_line, item_texts, options.shape
                )
            except _RowError as exc:
                rejects.write(
                    RowReject(
                        line=result.line,
                        reason=exc.reason,
                        detail=exc.detail,
                        raw=json.dumps(result.values, ensure_ascii=False, default=str),
                    )
                )
                continue
            batch.items[item.id] = item
            earlier = batch.golden.get(item.id)
            if earlier is not None and earlier.criteria != golden.criteria:
                union = tuple(sorted({*earlier.criteria, *golden.criteria}))
                golden = golden.model_copy(update={"criteria": union})
            batch.golden[item.id] = golden
            batch.annotations.extend(annotations)
            annotation_rows += len(annotations)
            votes += sum(a.votes for a in annotations)
            if len(batch.items) >= options.batch_size:
                flush()
        flush()
        blank = stream.blank_lines
        result_rejects = (rejects.total, dict(rejects.counts), rejects.written)
    outcome = ImportResult(
        set_name=name,
        rows=rows,
        items=len(item_texts),
        annotations=annotation_rows,
        votes=votes,
        items_written=written,
        rejected=result_rejects[0],
        reject_reasons=result_rejects[1],
        rejects_path=str(result_rejects[2]) if result_rejects[2] else None,
        blank_lines=blank,
        warnings=()
        if published is not None
        else ("no policy is published in this store: the policy column was not checked",),
    )
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action="golden.import",
            object_type="golden_set",
            object_id=name,
            details={"file": str(path), "origin": origin, **outcome.model_dump(mode="json")},
        )
    return outcome


def _merge_item(existing: Item | None, new: Item) -> Item:
    """An item already in the store keeps every field the golden file does not give.

    A golden file brings id, text and a few facets; fields such as the author, title or
    creation time that came from an earlier items import are kept, and `meta` is merged.
    """
    if existing is None:
        return new
    return existing.model_copy(
        update={
            "body": new.body,
            "community": new.community if new.community is not None else existing.community,
            "parent_id": new.parent_id if new.parent_id is not None else existing.parent_id,
            "meta": {**existing.meta, **new.meta},
        }
    )


def _accept(
    parser: _Parser,
    row: SourceRow,
    first_line: dict[tuple[str, str | None], int],
    item_texts: dict[str, tuple[int, str]],
    shape: Shape,
) -> tuple[Item, GoldenItem, list[Annotation]]:
    try:
        item, golden, annotations = parser.parse(row.values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
        )
        raise _RowError(RejectReason.INVALID_VALUE, problems) from None
    seen = item_texts.get(item.id)
    if seen is not None:
        if shape == "votes":
            raise _RowError(
                RejectReason.DUPLICATE_ID,
                f"item {item.id!r} already has a row at line {seen[0]} (votes shape: one row "
                "per item)",
            )
        if seen[1] != item.body:
            raise _RowError(
                RejectReason.INVALID_VALUE,
                f"item {item.id!r} has a different text at line {seen[0]}",
            )
    if shape == "annotations" and annotations[0].annotator is not None:
        key = (item.id, annotations[0].annotator)
        if key in first_line:
            raise _RowError(
                RejectReason.DUPLICATE_ID,
                f"annotator {key[1]!r} already labeled item {item.id!r} at line {first_line[key]}",
            )
        first_line[key] = row.line
    if seen is None:
        item_texts[item.id] = (row.line, item.body)
    return item, golden, annotations


# -- export -------------------------------------------------------------------------------

ExportFormat = Literal["csv", "jsonl", "parquet"]


def _export_format(path: Path, fmt: str | None) -> ExportFormat:
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen in ("csv", "jsonl", "parquet"):
        return chosen  # type: ignore[return-value]
    if chosen == "ndjson":
        return "jsonl"
    raise ValidationError(
        f"{path}: cannot tell the export format",
        hint="use a .csv, .jsonl or .parquet name, or --file-format",
    )


def _write(
    path: Path, fmt: ExportFormat, columns: list[str], records: list[dict[str, Any]]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt == "parquet":
        table = pa.table({c: [r.get(c) for r in records] for c in columns})
        pq.write_table(table, path)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False))
                handle.write("\n")
            return
        import csv

        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [
                    ";".join(v)
                    if isinstance(v := record.get(c), list)
                    else ("" if v is None else v)
                    for c in columns
                ]
            )


_FACETS = ["policy", "tags", "allowed", "criteria", "source", "group", "community", "parent_id"]


def export_golden_set(
    store: Store, name: str, path: Path, *, shape: Shape = "annotations", fmt: str | None = None
) -> int:
    """Write a golden set's items, labels and facets in a shape `import_golden_file` reads back.

    Returns:
        Rows written.
    """
    with store.connect() as conn:
        resolved = load_resolved(conn, name)
    chosen = _export_format(path, fmt)
    records: list[dict[str, Any]] = []
    labels = sorted({r.label for item in resolved for r in item.ratings})
    for entry in resolved:
        g = entry.loaded.golden
        base: dict[str, Any] = {
            "id": g.item_id,
            "text": entry.loaded.text,
            "policy": g.policy,
            "tags": list(g.tags),
            "allowed": list(g.allowed),
            "criteria": list(g.criteria),
            "source": g.source,
            "group": g.group,
            "community": entry.loaded.community,
            "parent_id": entry.loaded.parent_id,
            "gold_label": entry.gold,
            "gold_method": entry.method,
        }
        if shape == "votes":
            counts = {label: 0 for label in labels}
            for rating in entry.ratings:
                counts[rating.label] += rating.votes
            records.append({**base, **{f"{k}_votes": v for k, v in counts.items()}})
            continue
        for rating in entry.ratings:
            records.append(
                {
                    **base,
                    "annotator": rating.annotator,
                    "label": rating.label,
                    "votes": rating.votes,
                    "rationale": rating.rationale,
                }
            )
    head = ["id", "text"]
    tail = ["gold_label", "gold_method"]
    if shape == "votes":
        columns = head + _FACETS + [f"{label}_votes" for label in labels] + tail
    else:
        columns = head + ["annotator", "label", "votes", "rationale"] + _FACETS + tail
    _write(path, chosen, columns, records)
    return len(records)


def export_golden_version(
    rows: Iterator[TrainingRow], path: Path, *, fmt: str | None = None
) -> int:
    """Write the rows of a frozen version (see `golden_version_rows`) to a file.

    Returns:
        Rows written.
    """
    chosen = _export_format(path, fmt)
    records = [
        {
            "id": r.item_id,
            "text": r.text,
            "label": r.label,
            "weight": r.weight,
            "split": r.split,
            "policy": r.policy,
            "tags": list(r.tags),
            "allowed": list(r.allowed),
            "criteria": list(r.criteria),
            "source": r.source,
            "group": r.group,
            "community": r.community,
        }
        for r in rows
    ]
    columns = list(records[0]) if records else ["id", "text", "label", "weight", "split"]
    _write(path, chosen, columns, records)
    return len(records)


def read_texts(
    path: Path, *, id_column: str = "id", text_column: str = "text"
) -> list[tuple[str, str]]:
    """(id, text) pairs of a file (CSV, JSONL, Parquet), e.g. a training set to check leakage.

    Rows without text are skipped; rows without id get their line number as id.

    Raises:
        ValidationError: The file cannot be read, or has no text column.
    """
    found: list[tuple[str, str]] = []
    with open_rows(path) as stream:
        if stream.columns and text_column not in stream.columns:
            raise ValidationError(
                f"{path}: no column {text_column!r} (columns: {', '.join(stream.columns)})"
            )
        for row in stream:
            if isinstance(row, SourceRow):
                text = _text(row.values, text_column)
                if text is not None:
                    found.append((_text(row.values, id_column) or f"line:{row.line}", text))
    return found
