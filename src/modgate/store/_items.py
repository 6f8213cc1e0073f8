"""Item repository: typed `Item` records in, typed records out; batched upserts with audit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, func, select

from modgate.domain import AuthorInfo, Item, ParentPost
from modgate.errors import NotFoundError
from modgate.store._audit import record_audit_event
from modgate.store._bulk import batched, bulk_insert, bulk_upsert
from modgate.store._engine import Store
from modgate.store._tables import items
from modgate.store._timestamps import format_timestamp

_CONTENT_FIELDS = (
    "kind", "community", "title", "body", "url", "author_id", "author",
    "parent_id", "parent_text", "created_at", "language", "meta",
)  # fmt: skip
_AUDIT_DETAIL_LIMIT = 50
_OPTIONAL_FIELDS = ("is_edited", "is_top_level", "parent_post")
"""Content fields added later (0026): hashed only when set, so older items keep their hash."""
_OPTIONAL_AUTHOR_FIELDS = frozenset({"flair_css_class", "flair_template_id", "contributor_quality"})
"""Author fields added later: likewise hashed only when set."""


class UpsertResult(BaseModel):
    """Counts of what a batched item write did."""

    model_config = ConfigDict(frozen=True)

    inserted: int = 0
    """New items."""
    updated: int = 0
    """Existing items whose content changed (each audited)."""
    unchanged: int = 0
    """Existing items re-imported with identical content."""

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            inserted=self.inserted + other.inserted,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )


def item_content_hash(item: Item) -> str:
    """sha256 over the item's content fields in canonical JSON (id excluded)."""
    data = item.model_dump(mode="json", include=set(_CONTENT_FIELDS) | set(_OPTIONAL_FIELDS))
    for name in _OPTIONAL_FIELDS:
        if data[name] is None:
            del data[name]
    if data["author"] is not None:
        data["author"] = {
            k: v
            for k, v in data["author"].items()
            if v is not None or k not in _OPTIONAL_AUTHOR_FIELDS
        }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_AUTHOR_FIELDS = tuple(f for f in AuthorInfo.model_fields if f not in _OPTIONAL_AUTHOR_FIELDS)
# The same canonical JSON as `item_content_hash`, with the encoder built once (hot path).
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_JSON_STRING: Callable[[str], str] = json.encoder.encode_basestring


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _JSON_STRING(value)
    return _CANONICAL_JSON(value)


def row_content_hash(row: Mapping[str, Any]) -> str:
    """The `item_content_hash` of an items-table row, computed without building an `Item`.

    Equal to `item_content_hash(row_to_item(row))` for rows whose `meta` holds JSON values
    only (what every importer writes); the bulk import uses it to skip per-row models. The
    canonical JSON (sorted keys, compact separators) is assembled field by field, which is
    byte-for-byte what `json.dumps(..., sort_keys=True)` writes, at a third of the cost.
    """
    author = row["author"]
    created = row["created_at"]
    value = _json_value
    author_json = "null"
    if author is not None:
        fields = {f: author.get(f) for f in _AUTHOR_FIELDS}
        for name in _OPTIONAL_AUTHOR_FIELDS:
            if author.get(name) is not None:
                fields[name] = author[name]
        author_json = _CANONICAL_JSON(fields)
    is_edited, is_top_level = row.get("is_edited"), row.get("is_top_level")
    parent_post = row.get("parent_post")
    if parent_post is not None:  # as `Item.parent_post` dumps it: every field, None included
        parent_post = {f: parent_post.get(f) for f in ParentPost.model_fields}
    canonical = "".join(
        (
            '{"author":',
            author_json,
            ',"author_id":',
            value(row["author_id"]),
            ',"body":',
            value(row["body"]),
            ',"community":',
            value(row["community"]),
            ',"created_at":',
            "null" if created is None else _JSON_STRING(format_timestamp(created)),
            "" if is_edited is None else ',"is_edited":' + _CANONICAL_JSON(is_edited),
            "" if is_top_level is None else ',"is_top_level":' + _CANONICAL_JSON(is_top_level),
            ',"kind":',
            value(row["kind"]),
            ',"language":',
            value(row["language"]),
            ',"meta":',
            _CANONICAL_JSON(row["meta"]),
            ',"parent_id":',
            value(row["parent_id"]),
            "" if parent_post is None else ',"parent_post":' + _CANONICAL_JSON(parent_post),
            ',"parent_text":',
            value(row["parent_text"]),
            ',"title":',
            value(row["title"]),
            ',"url":',
            value(row["url"]),
            "}",
        )
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def item_to_row(item: Item, *, now: datetime) -> dict[str, Any]:
    """Convert an `Item` to a row of the items table."""
    return {
        "id": item.id,
        "kind": item.kind,
        "community": item.community,
        "title": item.title,
        "body": item.body,
        "url": item.url,
        "author_id": item.author_id,
        "author": item.author.model_dump(exclude_none=True) if item.author else None,
        "parent_id": item.parent_id,
        "parent_text": item.parent_text,
        "created_at": item.created_at,
        "language": item.language,
        "is_edited": item.is_edited,
        "is_top_level": item.is_top_level,
        "parent_post": item.parent_post.model_dump(exclude_none=True) if item.parent_post else None,
        "meta": item.meta,
        "content_hash": item_content_hash(item),
        "imported_at": now,
        "updated_at": now,
    }


def row_to_item(row: Any) -> Item:
    """Convert a row of the items table to an `Item`."""
    created = row["created_at"]
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return Item(
        id=row["id"],
        kind=row["kind"],
        community=row["community"],
        title=row["title"],
        body=row["body"],
        url=row["url"],
        author_id=row["author_id"],
        author=AuthorInfo(**row["author"]) if row["author"] else None,
        parent_id=row["parent_id"],
        parent_text=row["parent_text"],
        created_at=created,
        language=row["language"],
        is_edited=row.get("is_edited"),
        is_top_level=row.get("is_top_level"),
        parent_post=ParentPost(**row["parent_post"]) if row.get("parent_post") else None,
        meta=row["meta"] or {},
    )


def write_items(
    conn: Connection,
    batch: Sequence[Item],
    *,
    actor: str,
    source: str | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """Insert new items and update changed ones, in the caller's transaction.

    Items whose content hash matches the stored one are left alone, so re-importing a file is
    idempotent. Every changed item is recorded in one audit event per batch (ids listed, up to
    a limit, with the total).

    Args:
        conn: Connection inside a transaction.
        batch: Items with unique ids.
        actor: Who imports, for the audit log.
        source: Where the items came from (file name), for the audit log.
        now: Timestamp to record (default: now).

    Returns:
        Counts of inserted, updated and unchanged items.
    """
    now = now or datetime.now(UTC)
    rows = [item_to_row(item, now=now) for item in batch]
    return write_item_rows(conn, rows, actor=actor, source=source, now=now)


def write_item_rows(
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    *,
    actor: str,
    source: str | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """`write_items` for rows already in table shape (with `content_hash` and timestamps).

    The bulk import builds rows directly (no per-row model) and writes them here, with the
    same insert / update-and-audit / skip-unchanged rules as `write_items`.

    Args:
        conn: Connection inside a transaction.
        rows: Rows of the items table with unique ids (see `item_to_row`).
        actor: Who imports, for the audit log.
        source: Where the rows came from (file name), for the audit log.
        now: Timestamp of the audit event (default: now).

    Returns:
        Counts of inserted, updated and unchanged items.
    """
    if not rows:
        return UpsertResult()
    now = now or datetime.now(UTC)
    ids = [row["id"] for row in rows]
    existing: dict[str, str] = {}
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        result = conn.execute(select(items.c.id, items.c.content_hash).where(items.c.id.in_(chunk)))
        existing.update({row[0]: row[1] for row in result})
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        old = existing.get(row["id"])
        if old is None:
            new_rows.append(row)
        elif old != row["content_hash"]:
            changed_rows.append(row)
        else:
            unchanged += 1
    bulk_insert(conn, items, new_rows)
    if changed_rows:
        update_cols = [c for c in changed_rows[0] if c not in ("id", "imported_at")]
        bulk_upsert(conn, items, changed_rows, key=["id"], update=update_cols)
        changed_ids = [r["id"] for r in changed_rows]
        record_audit_event(
            conn,
            actor=actor,
            action="items.update",
            object_type="items",
            object_id=source or "batch",
            details={
                "count": len(changed_ids),
                "ids": changed_ids[:_AUDIT_DETAIL_LIMIT],
                "ids_truncated": len(changed_ids) > _AUDIT_DETAIL_LIMIT,
            },
            at=now,
        )
    return UpsertResult(inserted=len(new_rows), updated=len(changed_rows), unchanged=unchanged)


def save_items(
    store: Store, batch: Iterable[Item], *, actor: str, source: str | None = None
) -> UpsertResult:
    """Write items in one transaction (see `write_items`) and audit the import itself."""
    batch = list(batch)
    with store.begin() as conn:
        result = write_items(conn, batch, actor=actor, source=source)
        record_audit_event(
            conn,
            actor=actor,
            action="items.import",
            object_type="items",
            object_id=source or "batch",
            details=result.model_dump(),
        )
    return result


def get_item(store: Store, item_id: str) -> Item:
    """Fetch one item by id.

    Raises:
        NotFoundError: No item has this id.
    """
    with store.connect() as conn:
        row = conn.execute(select(items).where(items.c.id == item_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no item with id {item_id!r}")
    return row_to_item(row)


def get_items(store: Store, item_ids: Iterable[str]) -> dict[str, Item]:
    """The stored items among `item_ids`, by id (absent ids are simply not in the result)."""
    found: dict[str, Item] = {}
    with store.connect() as conn:
        for chunk in batched(dict.fromkeys(item_ids)):
            for row in conn.execute(select(items).where(items.c.id.in_(chunk))).mappings():
                found[row["id"]] = row_to_item(row)
    return found


def list_items(
    store: Store,
    *,
    community: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Item]:
    """List items, newest first, with optional filters.

    Args:
        store: The store.
        community: Only this community.
        since: Created at or after this time.
        until: Created before this time.
        text: Case-insensitive substring of title or body.
        limit: Maximum number of items.
        offset: Items to skip (paging).
    """
    query = select(items)
    if community is not None:
        query = query.where(items.c.community == community)
    if since is not None:
        query = query.where(items.c.created_at >= since)
    if until is not None:
        query = query.where(items.c.created_at < until)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            func.lower(items.c.body).like(pattern) | func.lower(items.c.title).like(pattern)
        )
    query = query.order_by(items.c.created_at.desc(), items.c.id).limit(limit).offset(offset)
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [row_to_item(row) for row in rows]


def count_items(store: Store) -> int:
    """Number of items in the store."""
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(items)).scalar_one())
