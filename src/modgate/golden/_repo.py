"""The golden package's one persistence module: golden tables in, typed records out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update

from modgate.domain import Item
from modgate.errors import NotFoundError
from modgate.golden._schema import (
    Adjudication,
    Annotation,
    GoldenItem,
    GoldenRecord,
    GoldenSet,
    GoldenSetConfig,
    GoldenVersion,
    Rating,
    TrainingRow,
)
from modgate.store import (
    batched,
    bulk_insert,
    bulk_upsert,
    eval_runs,
    golden_items,
    golden_sets,
    golden_version_items,
    golden_versions,
    items,
    policy_versions,
    row_to_item,
)
from modgate.store import (
    golden_adjudications as adjudications,
)
from modgate.store import (
    golden_annotations as annotations_table,
)


def _write_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str] = (),
    update_columns: Sequence[str] = (),
) -> None:
    """Insert (or upsert on `key`) rows of a golden table.

    PostgreSQL goes through the store's COPY-based bulk writes. On SQLite, SQLAlchemy's
    per-row parameter compilation costs more than the write itself at golden-set sizes, so
    the rows are converted once with each column type's own bind processor and handed to the
    driver's executemany; the stored values are exactly what SQLAlchemy would store.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        if key:
            bulk_upsert(conn, table, rows, key=key, update=update_columns)
        else:
            bulk_insert(conn, table, rows)
        return
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    if key:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update_columns)
        conflict = f"DO UPDATE SET {sets}" if update_columns else "DO NOTHING"
        sql += f" ON CONFLICT ({', '.join(key)}) {conflict}"
    params = [
        tuple(
            value if proc is None else proc(value)
            for proc, value in zip(processors, (row[c] for c in columns), strict=True)
        )
        for row in rows
    ]
    conn.exec_driver_sql(sql, params)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LoadedItem:
    """A golden item joined with the item fields the golden workflow reads."""

    golden: GoldenRecord
    text: str
    community: str | None
    parent_id: str | None
    item_hash: str


def set_exists(conn: Connection, name: str) -> bool:
    """Whether a golden set of this name exists."""
    found = conn.execute(select(golden_sets.c.name).where(golden_sets.c.name == name)).first()
    return found is not None


def require_set(conn: Connection, name: str) -> GoldenSetConfig:
    """The config of a golden set.

    Raises:
        NotFoundError: No set of this name.
    """
    row = conn.execute(select(golden_sets.c.config).where(golden_sets.c.name == name)).first()
    if row is None:
        raise NotFoundError(
            f"no golden set named {name!r}", hint="create it with `modgate golden import`"
        )
    return GoldenSetConfig.model_validate(row[0])


def insert_set(
    conn: Connection, name: str, config: GoldenSetConfig, *, actor: str, now: datetime
) -> None:
    """Create a golden set row."""
    conn.execute(
        insert(golden_sets).values(
            name=name,
            description=config.description,
            config=config.model_dump(mode="json"),
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
    )


def update_set_config(
    conn: Connection, name: str, config: GoldenSetConfig, *, now: datetime
) -> None:
    """Replace a set's config."""
    conn.execute(
        update(golden_sets)
        .where(golden_sets.c.name == name)
        .values(
            config=config.model_dump(mode="json"), description=config.description, updated_at=now
        )
    )


def _golden_row(set_name: str, item: GoldenItem, now: datetime) -> dict[str, Any]:
    return {
        "set_name": set_name,
        "item_id": item.item_id,
        "policy": item.policy,
        "tags": list(item.tags),
        "allowed": list(item.allowed),
        "criteria": list(item.criteria),
        "source": item.source,
        "group_key": item.group,
        "gold_label": item.gold_label,
        "gold_method": item.gold_method,
        "added_at": now,
    }


def upsert_golden_items(
    conn: Connection, set_name: str, batch: Sequence[GoldenItem], *, now: datetime
) -> None:
    """Insert or update golden items; an existing gold label is never overwritten here."""
    rows = [_golden_row(set_name, item, now) for item in batch]
    _write_rows(
        conn,
        golden_items,
        rows,
        key=["set_name", "item_id"],
        update_columns=["policy", "tags", "allowed", "criteria", "source", "group_key"],
    )


def replace_annotations(
    conn: Connection,
    set_name: str,
    item_ids: Sequence[str],
    batch: Sequence[Annotation],
    *,
    origin: str,
    actor: str,
    now: datetime,
) -> None:
    """Delete the annotations of `item_ids` from `origin`, then insert `batch` (re-import safe)."""
    for chunk in batched(item_ids):
        conn.execute(
            delete(annotations_table).where(
                and_(
                    annotations_table.c.set_name == set_name,
                    annotations_table.c.origin == origin,
                    annotations_table.c.item_id.in_(chunk),
                )
            )
        )
    insert_annotations(conn, set_name, batch, origin=origin, actor=actor, now=now)


def insert_annotations(
    conn: Connection,
    set_name: str,
    batch: Sequence[Annotation],
    *,
    origin: str,
    actor: str,
    now: datetime,
) -> None:
    """Insert annotations."""
    _write_rows(
        conn,
        annotations_table,
        [
            {
                "set_name": set_name,
                "item_id": a.item_id,
                "annotator": a.annotator,
                "label": a.label,
                "votes": a.votes,
                "rationale": a.rationale,
                "origin": origin,
                "created_at": now,
                "created_by": actor,
            }
            for a in batch
        ],
    )


def delete_annotation(conn: Connection, set_name: str, item_id: str, annotator: str) -> None:
    """Remove a named annotator's label of an item (before giving a new one)."""
    conn.execute(
        delete(annotations_table).where(
            and_(
                annotations_table.c.set_name == set_name,
                annotations_table.c.item_id == item_id,
                annotations_table.c.annotator == annotator,
            )
        )
    )


def existing_items(conn: Connection, ids: Sequence[str]) -> dict[str, Item]:
    """Items already in the items table, by id (for merging instead of overwriting)."""
    found: dict[str, Item] = {}
    for chunk in batched(ids):
        for row in conn.execute(select(items).where(items.c.id.in_(chunk))).mappings():
            found[row["id"]] = row_to_item(row)
    return found


def get_golden_item(conn: Connection, set_name: str, item_id: str) -> GoldenItem | None:
    """One golden item of a set, or None when the item is not in the set."""
    row = (
        conn.execute(
            select(golden_items).where(
                and_(golden_items.c.set_name == set_name, golden_items.c.item_id == item_id)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else GoldenItem.model_validate(_row_to_golden(row)._asdict())


def _row_to_golden(row: Any) -> GoldenRecord:
    return GoldenRecord(
        item_id=row["item_id"],
        policy=row["policy"],
        tags=tuple(row["tags"] or ()),
        allowed=tuple(row["allowed"] or ()),
        criteria=tuple(row["criteria"] or ()),
        source=row["source"],
        group=row["group_key"],
        gold_label=row["gold_label"],
        gold_method=row["gold_method"],
    )


def load_items(conn: Connection, set_name: str) -> list[LoadedItem]:
    """Every golden item of a set with its text, community, parent and content hash."""
    query = (
        select(
            golden_items,
            items.c.title,
            items.c.body,
            items.c.community,
            items.c.parent_id,
            items.c.content_hash,
        )
        .join(items, items.c.id == golden_items.c.item_id)
        .where(golden_items.c.set_name == set_name)
        .order_by(golden_items.c.item_id)
    )
    found = []
    for row in conn.execute(query).mappings():
        title, body = row["title"], row["body"]
        text = f"{title}\n{body}" if title and body else (title or body)
        found.append(
            LoadedItem(
                golden=_row_to_golden(row),
                text=text,
                community=row["community"],
                parent_id=row["parent_id"],
                item_hash=row["content_hash"],
            )
        )
    return found


def load_annotations(
    conn: Connection, set_name: str, item_id: str | None = None
) -> dict[str, list[Rating]]:
    """Annotations of a set (or of one item), grouped by item id."""
    query = select(
        annotations_table.c.item_id,
        annotations_table.c.annotator,
        annotations_table.c.label,
        annotations_table.c.votes,
        annotations_table.c.rationale,
    ).where(annotations_table.c.set_name == set_name)
    if item_id is not None:
        query = query.where(annotations_table.c.item_id == item_id)
    grouped: dict[str, list[Rating]] = defaultdict(list)
    for row in conn.execute(query.order_by(annotations_table.c.id)):
        grouped[row[0]].append(Rating(row[0], row[1], row[2], row[3], row[4]))
    return grouped


def set_gold_labels(
    conn: Connection,
    set_name: str,
    changes: Sequence[Adjudication],
) -> None:
    """Record adjudications and update each item's current gold label."""
    if not changes:
        return
    _write_rows(
        conn,
        adjudications,
        [{"set_name": set_name, **change.model_dump()} for change in changes],
    )
    by_method: dict[tuple[str, str], list[str]] = defaultdict(list)
    for change in changes:
        by_method[(change.label, change.method)].append(change.item_id)
    for (label, method), ids in by_method.items():
        for chunk in batched(ids):
            conn.execute(
                update(golden_items)
                .where(
                    and_(
                        golden_items.c.set_name == set_name,
                        golden_items.c.item_id.in_(chunk),
                    )
                )
                .values(gold_label=label, gold_method=method)
            )


def adjudication_history(
    conn: Connection, set_name: str, item_id: str | None = None
) -> list[Adjudication]:
    """Adjudications of a set (or one item), oldest first."""
    query = select(adjudications).where(adjudications.c.set_name == set_name)
    if item_id is not None:
        query = query.where(adjudications.c.item_id == item_id)
    rows = conn.execute(query.order_by(adjudications.c.id)).mappings()
    return [
        Adjudication(
            item_id=row["item_id"],
            label=row["label"],
            previous_label=row["previous_label"],
            method=row["method"],
            reason=row["reason"],
            actor=row["actor"],
            at=_aware(row["at"]),
        )
        for row in rows
    ]


def list_sets(conn: Connection) -> list[GoldenSet]:
    """Every golden set with its item, unresolved and version counts."""
    item_counts: dict[str, int] = dict(
        conn.execute(
            select(golden_items.c.set_name, func.count()).group_by(golden_items.c.set_name)
        ).all()
    )
    version_counts: dict[str, int] = dict(
        conn.execute(
            select(golden_versions.c.set_name, func.count()).group_by(golden_versions.c.set_name)
        ).all()
    )
    found = []
    for row in conn.execute(select(golden_sets).order_by(golden_sets.c.name)).mappings():
        found.append(
            GoldenSet(
                name=row["name"],
                config=GoldenSetConfig.model_validate(row["config"]),
                created_at=_aware(row["created_at"]),
                created_by=row["created_by"],
                updated_at=_aware(row["updated_at"]),
                items=int(item_counts.get(row["name"], 0)),
                versions=int(version_counts.get(row["name"], 0)),
            )
        )
    return found


def _row_to_version(row: Any) -> GoldenVersion:
    return GoldenVersion(
        set_name=row["set_name"],
        version=row["version"],
        content_hash=row["content_hash"],
        item_count=row["item_count"],
        frozen_at=_aware(row["frozen_at"]),
        frozen_by=row["frozen_by"],
        config=row["config"],
    )


def list_versions(conn: Connection, set_name: str) -> list[GoldenVersion]:
    """Frozen versions of a set, oldest first."""
    rows = conn.execute(
        select(golden_versions)
        .where(golden_versions.c.set_name == set_name)
        .order_by(golden_versions.c.version)
    ).mappings()
    return [_row_to_version(row) for row in rows]


def get_version(conn: Connection, set_name: str, version: int | None) -> GoldenVersion:
    """One frozen version (the latest when `version` is None).

    Raises:
        NotFoundError: No such version.
    """
    query = select(golden_versions).where(golden_versions.c.set_name == set_name)
    if version is None:
        query = query.order_by(golden_versions.c.version.desc()).limit(1)
    else:
        query = query.where(golden_versions.c.version == version)
    row = conn.execute(query).mappings().first()
    if row is None:
        wanted = "any version" if version is None else f"version {version}"
        raise NotFoundError(
            f"golden set {set_name!r} has no {wanted}", hint="freeze one: `modgate golden freeze`"
        )
    return _row_to_version(row)


def insert_version(
    conn: Connection,
    version: GoldenVersion,
    rows: Iterable[TrainingRow],
    item_hashes: dict[str, str],
) -> None:
    """Write a frozen version and its item rows."""
    conn.execute(insert(golden_versions).values(**version.model_dump()))
    payload = [
        {
            "set_name": version.set_name,
            "version": version.version,
            "item_id": row.item_id,
            "item_hash": item_hashes[row.item_id],
            "text": row.text,
            "community": row.community,
            "policy": row.policy,
            "gold_label": row.label,
            "weight": row.weight,
            "split": row.split,
            "tags": list(row.tags),
            "allowed": list(row.allowed),
            "criteria": list(row.criteria),
            "source": row.source,
            "group_key": row.group,
            "raters": row.raters,
        }
        for row in rows
    ]
    for start in range(0, len(payload), 5000):
        _write_rows(conn, golden_version_items, payload[start : start + 5000])


def iter_version_rows(
    conn: Connection, set_name: str, version: int, split: str | None
) -> Iterator[TrainingRow]:
    """Rows of a frozen version (one split or all), in item-id order."""
    query = select(golden_version_items).where(
        and_(
            golden_version_items.c.set_name == set_name,
            golden_version_items.c.version == version,
        )
    )
    if split is not None:
        query = query.where(golden_version_items.c.split == split)
    for row in conn.execute(query.order_by(golden_version_items.c.item_id)).mappings():
        yield TrainingRow.model_construct(
            item_id=row["item_id"],
            text=row["text"],
            label=row["gold_label"],
            weight=row["weight"],
            split=row["split"],
            policy=row["policy"],
            community=row["community"],
            tags=tuple(row["tags"] or ()),
            allowed=tuple(row["allowed"] or ()),
            criteria=tuple(row["criteria"] or ()),
            source=row["source"],
            group=row["group_key"],
            item_hash=row["item_hash"],
            raters=row["raters"],
        )


def published_policies(conn: Connection) -> dict[str, set[int]]:
    """Published policy ids with their version numbers (read-only view of the policy table)."""
    found: dict[str, set[int]] = defaultdict(set)
    for policy_id, version in conn.execute(select(policy_versions.c.id, policy_versions.c.version)):
        found[policy_id].add(int(version))
    return dict(found)


def eval_runs_using(conn: Connection, set_name: str) -> list[str]:
    """Ids of eval runs computed on versions of the set (read-only view of `eval_runs`)."""
    query = (
        select(eval_runs.c.id)
        .where(eval_runs.c.golden.like(f"{set_name}@%"))
        .order_by(eval_runs.c.id)
    )
    return [row[0] for row in conn.execute(query)]


def delete_set(conn: Connection, set_name: str) -> dict[str, int]:
    """Delete a set with its items' golden facets, annotations, adjudications and versions.

    The items themselves stay in the items table (other sets and decisions may use them).

    Returns:
        Rows deleted per table.
    """
    counts: dict[str, int] = {}
    for table in (golden_version_items, golden_versions, adjudications, annotations_table,
                  golden_items, golden_sets):  # fmt: skip
        column = table.c.name if table is golden_sets else table.c.set_name
        counts[table.name] = int(conn.execute(delete(table).where(column == set_name)).rowcount)
    return counts
