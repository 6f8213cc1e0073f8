"""Freeze a golden set into an immutable, content-hashed version with grouped splits."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from modgate.domain import VersionRef
from modgate.errors import ValidationError
from modgate.golden import _repo
from modgate.golden._adjudicate import ResolvedItem, gold_weight, load_resolved
from modgate.golden._checks import near_duplicate_clusters
from modgate.golden._schema import SPLITS, FreezeResult, GoldenSetConfig, GoldenVersion, TrainingRow
from modgate.golden._splits import SplitItem, assign_splits
from modgate.store import Store, record_audit_event


def content_hash(rows: Iterable[TrainingRow], item_hashes: dict[str, str]) -> str:
    """sha256 over the canonical form of a version's rows.

    Each row becomes one line of canonical JSON (sorted keys, no whitespace) holding the item
    id, the item's content hash, policy, gold label, weight (6 decimals), split and the sorted
    tags, allowed contexts and criteria; lines are hashed in item-id order. The same content
    always gives the same hash, whatever order it was built in.
    """
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.item_id):
        record = {
            "id": row.item_id,
            "item": item_hashes[row.item_id],
            "policy": row.policy,
            "label": row.label,
            "weight": round(row.weight, 6),
            "split": row.split,
            "tags": sorted(row.tags),
            "allowed": sorted(row.allowed),
            "criteria": sorted(row.criteria),
        }
        digest.update(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _split_items(resolved: list[ResolvedItem], config: GoldenSetConfig) -> list[SplitItem]:
    group_by = set(config.split.group_by)
    clusters: dict[str, str] = {}
    if "near_duplicate" in group_by:
        clusters = near_duplicate_clusters(
            [(e.item_id, e.loaded.text) for e in resolved],
            threshold=config.near_duplicate_threshold,
        )
    split_items = []
    for entry in resolved:
        assert entry.gold is not None
        golden = entry.loaded.golden
        keys: list[str] = []
        if "group" in group_by and golden.group:
            keys.append(f"group:{golden.group}")
        if "parent" in group_by and entry.loaded.parent_id:
            keys.append(f"item:{entry.loaded.parent_id}")
        if "source" in group_by and golden.source:
            keys.append(f"source:{golden.source}")
        if entry.item_id in clusters:
            keys.append(f"dup:{clusters[entry.item_id]}")
        split_items.append(
            SplitItem.model_construct(item_id=entry.item_id, label=entry.gold, keys=tuple(keys))
        )
    return split_items


def build_version_rows(
    resolved: list[ResolvedItem], config: GoldenSetConfig
) -> tuple[list[TrainingRow], int]:
    """Rows of a version from resolved items: gold label, weight, split and group.

    Returns:
        The rows (resolved items only) and the number of unresolved items left out.
    """
    ready = [e for e in resolved if e.gold is not None]
    assignment = assign_splits(
        _split_items(ready, config), config.split.ratios, seed=config.split.seed
    )
    rows = []
    for entry in ready:
        assert entry.gold is not None
        golden = entry.loaded.golden
        split, group = assignment[entry.item_id]
        rows.append(
            TrainingRow.model_construct(
                item_id=entry.item_id,
                text=entry.loaded.text,
                label=entry.gold,
                weight=gold_weight(entry.gold, entry.method, entry.ratings),
                split=split,
                policy=golden.policy,
                community=entry.loaded.community,
                tags=golden.tags,
                allowed=golden.allowed,
                criteria=golden.criteria,
                source=golden.source,
                group=group,
                raters=sum(r.votes for r in entry.ratings),
            )
        )
    return rows, len(resolved) - len(ready)


def freeze_golden_set(
    store: Store, name: str, *, actor: str, require_resolved: bool = False
) -> FreezeResult:
    """Freeze a golden set into an immutable version identified by its content hash.

    Items without a gold label are left out (counted in `unresolved`), unless
    `require_resolved` makes that an error. When the latest version already has the same
    content hash, no new version is made and that version is returned.

    Raises:
        NotFoundError: No such set.
        ValidationError: Nothing to freeze, or unresolved items with `require_resolved`.
    """
    with store.begin() as conn:
        config = _repo.require_set(conn, name)
        resolved = load_resolved(conn, name)
        rows, unresolved = build_version_rows(resolved, config)
        if require_resolved and unresolved:
            raise ValidationError(
                f"golden set {name!r} has {unresolved} items without a gold label",
                hint="adjudicate them: `modgate golden adjudicate`",
            )
        if not rows:
            raise ValidationError(f"golden set {name!r} has no item with a gold label to freeze")
        item_hashes = {e.item_id: e.loaded.item_hash for e in resolved}
        digest = content_hash(rows, item_hashes)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            counts[row.split][row.label] += 1
        split_counts = {s: dict(sorted(counts[s].items())) for s in SPLITS if s in counts}
        versions = _repo.list_versions(conn, name)
        if versions and versions[-1].content_hash == digest:
            return FreezeResult(
                version=versions[-1],
                created=False,
                split_counts=split_counts,
                unresolved=unresolved,
            )
        version = GoldenVersion(
            set_name=name,
            version=(versions[-1].version + 1) if versions else 1,
            content_hash=digest,
            item_count=len(rows),
            frozen_at=datetime.now(UTC),
            frozen_by=actor,
            config={
                "set": config.model_dump(mode="json"),
                "split_counts": split_counts,
                "unresolved": unresolved,
            },
        )
        _repo.insert_version(conn, version, rows, item_hashes)
        record_audit_event(
            conn,
            actor=actor,
            action="golden.freeze",
            object_type="golden_set",
            object_id=name,
            details={
                "version": version.version,
                "content_hash": digest,
                "items": len(rows),
                "unresolved": unresolved,
            },
        )
    return FreezeResult(
        version=version, created=True, split_counts=split_counts, unresolved=unresolved
    )


def parse_version_ref(ref: str) -> tuple[str, int | None]:
    """`name@version` (or `name` for the latest) → (name, version).

    Raises:
        ValidationError: The version is not a positive whole number.
    """
    name, version = VersionRef.parse(ref, what="golden version")
    return name, version


def get_golden_version(store: Store, ref: str) -> GoldenVersion:
    """A frozen version by `name@version` (`name` alone: the latest).

    Raises:
        NotFoundError: No such set or version.
    """
    name, version = parse_version_ref(ref)
    with store.connect() as conn:
        _repo.require_set(conn, name)
        return _repo.get_version(conn, name, version)


def golden_version_rows(store: Store, ref: str, split: str | None = None) -> list[TrainingRow]:
    """Rows (text, label, weight, split, item id, …) of a frozen version, one split or all.

    This is what enforcer training and evaluation read: `enforce` never sees golden sets,
    only these rows.

    Args:
        store: The store.
        ref: `name@version`, or `name` for the latest version.
        split: train, dev or test (None: every row).

    Raises:
        NotFoundError: No such set or version.
        ValidationError: Unknown split name.
    """
    if split is not None and split not in SPLITS:
        raise ValidationError(f"unknown split {split!r}; expected one of {list(SPLITS)}")
    version = get_golden_version(store, ref)
    with store.connect() as conn:
        return list(_repo.iter_version_rows(conn, version.set_name, version.version, split))


def iter_golden_version_rows(
    store: Store, ref: str, split: str | None = None
) -> Iterator[TrainingRow]:
    """Like `golden_version_rows`, streaming (the connection stays open while iterating)."""
    version = get_golden_version(store, ref)
    with store.connect() as conn:
        yield from _repo.iter_version_rows(conn, version.set_name, version.version, split)
