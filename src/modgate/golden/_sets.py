"""Golden sets as a whole: config files, create or configure, list, show, add one annotation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from modgate.authoring import load_yaml_model
from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.golden import _repo
from modgate.golden._adjudicate import check_label, resolve_gold
from modgate.golden._schema import (
    Annotation,
    GoldenItem,
    GoldenSet,
    GoldenSetConfig,
    GoldenVersion,
)
from modgate.store import Store, record_audit_event

if TYPE_CHECKING:
    from sqlalchemy import Connection


class GoldenSetDetail(BaseModel):
    """A golden set with its label counts and versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    set: GoldenSet
    """The set and its counts."""
    gold_labels: dict[str, int]
    """Items per current gold label (`(unresolved)` for items without one)."""
    annotations: int
    """Annotation rows (a vote-count row counts once)."""
    annotators: int
    """Distinct named annotators."""
    versions: tuple[GoldenVersion, ...]
    """Frozen versions, oldest first."""


def load_golden_config(path: Path) -> GoldenSetConfig:
    """Read a golden set config (YAML); an empty file is the default config.

    Raises:
        ValidationError: The file cannot be read.
        AuthoringError: The file is not YAML or not a valid config (a `ValidationError`);
            every problem as `file:line:col: field: message`.
    """
    try:
        return load_yaml_model(path, GoldenSetConfig, what="golden set config", empty_as={})
    except NotFoundError as exc:
        raise ValidationError(f"{path}: cannot read golden set config ({exc})") from exc


def ensure_golden_set(
    store: Store, name: str, *, actor: str, config: GoldenSetConfig | None = None
) -> GoldenSetConfig:
    """Create the set if it does not exist; replace its config when one is given.

    Returns:
        The set's config after the call.
    """
    if not name or "@" in name:
        raise ValidationError(f"invalid golden set name {name!r} (non-empty, no '@')")
    now = datetime.now(UTC)
    with store.begin() as conn:
        if not _repo.set_exists(conn, name):
            config = config or GoldenSetConfig()
            _repo.insert_set(conn, name, config, actor=actor, now=now)
            record_audit_event(
                conn,
                actor=actor,
                action="golden.create",
                object_type="golden_set",
                object_id=name,
                details={"config": config.model_dump(mode="json")},
            )
            return config
        if config is None:
            return _repo.require_set(conn, name)
        _repo.update_set_config(conn, name, config, now=now)
        record_audit_event(
            conn,
            actor=actor,
            action="golden.configure",
            object_type="golden_set",
            object_id=name,
            details={"config": config.model_dump(mode="json")},
        )
        return config


def list_golden_sets(store: Store) -> list[GoldenSet]:
    """Every golden set with its item, unresolved and version counts."""
    with store.connect() as conn:
        sets = _repo.list_sets(conn)
        return [
            s.model_copy(update={"unresolved": _label_counts(conn, s.name)[0]["(unresolved)"]})
            for s in sets
        ]


def _label_counts(conn: Connection, name: str) -> tuple[Counter[str], int, int]:
    loaded = _repo.load_items(conn, name)
    ratings = _repo.load_annotations(conn, name)
    counts: Counter[str] = Counter()
    counts["(unresolved)"] += 0
    annotators: set[str] = set()
    rows = 0
    for entry in loaded:
        item_ratings = ratings.get(entry.golden.item_id, [])
        rows += len(item_ratings)
        annotators.update(r.annotator for r in item_ratings if r.annotator is not None)
        label, _ = resolve_gold(entry.golden, item_ratings)
        counts[label or "(unresolved)"] += 1
    return counts, rows, len(annotators)


def show_golden_set(store: Store, name: str) -> GoldenSetDetail:
    """A golden set with its gold-label counts, annotation counts and versions.

    Raises:
        NotFoundError: No such set.
    """
    with store.connect() as conn:
        _repo.require_set(conn, name)
        found = next(s for s in _repo.list_sets(conn) if s.name == name)
        counts, rows, annotators = _label_counts(conn, name)
        versions = _repo.list_versions(conn, name)
    return GoldenSetDetail(
        set=found.model_copy(update={"unresolved": counts["(unresolved)"]}),
        gold_labels=dict(sorted(counts.items())),
        annotations=rows,
        annotators=annotators,
        versions=tuple(versions),
    )


def add_annotation(
    store: Store,
    name: str,
    item_id: str,
    *,
    label: str,
    annotator: str,
    rationale: str | None = None,
    actor: str,
) -> Annotation:
    """Record one annotator's label for an item of the set (replacing their earlier label).

    Raises:
        NotFoundError: No such set, or the item is not in it.
        ValidationError: A label the set does not accept.
    """
    annotation = Annotation(item_id=item_id, annotator=annotator, label=label, rationale=rationale)
    with store.begin() as conn:
        config = _repo.require_set(conn, name)
        check_label(config, label)
        if _repo.get_golden_item(conn, name, item_id) is None:
            raise NotFoundError(
                f"item {item_id!r} is not in golden set {name!r}",
                hint="import it first with `modgate golden import`",
            )
        _repo.delete_annotation(conn, name, item_id, annotator)
        _repo.insert_annotations(
            conn, name, [annotation], origin="label", actor=actor, now=datetime.now(UTC)
        )
        record_audit_event(
            conn,
            actor=actor,
            action="golden.label",
            object_type="golden_set",
            object_id=name,
            details={"item_id": item_id, "annotator": annotator, "label": label},
        )
    return annotation


class DeleteResult(BaseModel):
    """What `delete_golden_set` removed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The deleted set."""
    deleted: dict[str, int]
    """Rows deleted per table (the items themselves stay)."""
    eval_runs: tuple[str, ...]
    """Eval runs computed on its versions (kept; their golden reference now dangles)."""
    forced: bool
    """Whether `force` overrode those runs."""


def delete_golden_set(store: Store, name: str, *, actor: str, force: bool = False) -> DeleteResult:
    """Delete a golden set, its annotations, adjudications and frozen versions (audited).

    Refused while eval runs were computed on its versions, unless `force`: those runs (and the
    gate reports bound to them) would point at a golden version that no longer exists.

    Raises:
        NotFoundError: No such set.
        ConflictError: Eval runs use its versions and `force` is not set (they are listed).
    """
    with store.begin() as conn:
        _repo.require_set(conn, name)
        runs = _repo.eval_runs_using(conn, name)
        if runs and not force:
            shown = ", ".join(runs[:5]) + (f" and {len(runs) - 5} more" if len(runs) > 5 else "")
            raise ConflictError(
                f"golden set {name!r} is used by {len(runs)} eval run(s) ({shown})",
                hint="delete those runs first, or pass --force to delete the set anyway",
            )
        deleted = _repo.delete_set(conn, name)
        record_audit_event(
            conn,
            actor=actor,
            action="golden.delete",
            object_type="golden_set",
            object_id=name,
            details={"deleted": deleted, "eval_runs": runs[:50], "forced": bool(runs) and force},
        )
    return DeleteResult(name=name, deleted=deleted, eval_runs=tuple(runs), forced=force)


class GoldenItemView(BaseModel):
    """A golden item as the browser shows it: text, community, labels given and the gold one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The item."""
    text: str
    """Title and body."""
    community: str | None
    """Its community."""
    policy: str
    """Policy id of its labels."""
    tags: tuple[str, ...]
    """Edge-case tags."""
    gold_label: str | None
    """Current gold label (None: unresolved)."""
    annotations: tuple[Annotation, ...]
    """Every annotation, oldest first."""
    disagreement: bool
    """Annotations carry more than one distinct label."""


class GoldenBrowse(BaseModel):
    """One page of a golden set's items after filters, with the filtered total."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: tuple[GoldenItemView, ...]
    """The page."""
    total: int
    """Items matching the filters."""
    tags: tuple[str, ...]
    """Every tag in the set (to offer as filters)."""
    communities: tuple[str, ...]
    """Every community in the set."""


def browse_golden_items(
    store: Store,
    name: str,
    *,
    tag: str | None = None,
    community: str | None = None,
    disagreement: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> GoldenBrowse:
    """Items of a golden set filtered by tag, community and annotator disagreement.

    Raises:
        NotFoundError: No such set.
        ValidationError: Negative offset or limit.
    """
    if offset < 0 or limit < 0:
        raise ValidationError("offset and limit must be non-negative")
    with store.connect() as conn:
        _repo.require_set(conn, name)
        loaded = _repo.load_items(conn, name)
        ratings = _repo.load_annotations(conn, name)
    views: list[GoldenItemView] = []
    all_tags: set[str] = set()
    all_communities: set[str] = set()
    for item in loaded:
        g = item.golden
        all_tags.update(g.tags)
        if item.community:
            all_communities.add(item.community)
        given = ratings.get(g.item_id, [])
        differ = len({r.label for r in given}) > 1
        if tag is not None and tag not in g.tags:
            continue
        if community is not None and item.community != community:
            continue
        if disagreement and not differ:
            continue
        views.append(
            GoldenItemView(
                item_id=g.item_id,
                text=item.text,
                community=item.community,
                policy=g.policy,
                tags=tuple(g.tags),
                gold_label=g.gold_label,
                annotations=tuple(
                    Annotation(
                        item_id=r.item_id,
                        annotator=r.annotator,
                        label=r.label,
                        votes=r.votes,
                        rationale=r.rationale,
                    )  # fmt: skip
                    for r in given
                ),
                disagreement=differ,
            )  # fmt: skip
        )
    return GoldenBrowse(
        items=tuple(views[offset : offset + limit]), total=len(views),
        tags=tuple(sorted(all_tags)), communities=tuple(sorted(all_communities)),
    )  # fmt: skip


def add_golden_item(store: Store, name: str, item: GoldenItem, *, actor: str) -> GoldenItem:
    """Add one stored item to a golden set (or update its policy, tags and criteria).

    What the review queue and appeals use to turn a reviewed item into a golden candidate; an
    existing gold label is kept.

    Raises:
        NotFoundError: No such set, or no such item in the items table.
    """
    with store.begin() as conn:
        _repo.require_set(conn, name)
        if not _repo.existing_items(conn, [item.item_id]):
            raise NotFoundError(f"no item {item.item_id!r} in the store")
        _repo.upsert_golden_items(conn, name, [item], now=datetime.now(UTC))
        record_audit_event(
            conn,
            actor=actor,
            action="golden.add_item",
            object_type="golden_set",
            object_id=name,
            details={"item_id": item.item_id, "policy": item.policy, "source": item.source},
        )
    return item


def remove_annotation(store: Store, name: str, item_id: str, *, annotator: str, actor: str) -> None:
    """Withdraw a named annotator's label of an item (e.g. a review decision that was undone).

    Raises:
        NotFoundError: No such set.
    """
    with store.begin() as conn:
        _repo.require_set(conn, name)
        _repo.delete_annotation(conn, name, item_id, annotator)
        record_audit_event(
            conn,
            actor=actor,
            action="golden.unlabel",
            object_type="golden_set",
            object_id=name,
            details={"item_id": item_id, "annotator": annotator},
        )
