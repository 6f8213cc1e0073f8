"""Gold labels: resolution rules, the disagreement queue, human and automatic adjudication."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from modgate.errors import NotFoundError, ValidationError
from modgate.golden import _repo
from modgate.golden._dawid_skene import dawid_skene
from modgate.golden._schema import (
    Adjudication,
    Annotation,
    GoldenItem,
    GoldenRecord,
    GoldenSetConfig,
    GoldMethod,
    QueueEntry,
    Rating,
)
from modgate.store import Store, record_audit_event

if TYPE_CHECKING:
    from sqlalchemy import Connection

AutoMethod = Literal["majority", "dawid-skene"]
Ratings = Sequence[Rating] | Sequence[Annotation]
CROWD = "(crowd)"
"""Pseudo-annotator that pools anonymous vote counts for Dawid–Skene."""


class AutoAdjudicationResult(BaseModel):
    """What an automatic adjudication run did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: AutoMethod
    """majority or dawid-skene."""
    queue: int
    """Items in the disagreement queue before the run."""
    changed: int
    """Items whose gold label was set or changed."""
    unchanged: int
    """Items whose gold label was already what the method says."""
    ties: int
    """Items left unresolved because the method could not break a tie."""
    human_kept: int
    """Items with a human gold label, left alone."""


def vote_totals(ratings: Ratings) -> dict[str, int]:
    """Votes per label over every rating of an item."""
    totals: Counter[str] = Counter()
    for rating in ratings:
        totals[rating.label] += rating.votes
    return dict(totals)


def resolve_gold(
    item: GoldenItem | GoldenRecord, ratings: Ratings
) -> tuple[str | None, GoldMethod | None]:
    """The item's gold label and how it was set.

    An adjudicated label wins; otherwise, if every rating gives the same label, that label is
    gold (`unanimous`); otherwise the item is unresolved (None) and waits in the queue.
    """
    if item.gold_label is not None:
        return item.gold_label, item.gold_method
    labels = {rating.label for rating in ratings}
    if len(labels) == 1:
        return labels.pop(), "unanimous"
    return None, None


def gold_weight(label: str, method: GoldMethod | None, ratings: Ratings) -> float:
    """Confidence in a gold label: 1.0 for a human decision, else the share of votes for it."""
    if method == "human":
        return 1.0
    totals = vote_totals(ratings)
    total = sum(totals.values())
    return totals.get(label, 0) / total if total else 1.0


def _in_queue(item: GoldenRecord, ratings: Ratings) -> bool:
    return item.gold_method != "human" and len({r.label for r in ratings}) > 1


def adjudication_queue(store: Store, name: str, *, limit: int | None = None) -> list[QueueEntry]:
    """Items whose annotations disagree and that no human has adjudicated yet.

    Items an automatic method resolved stay in the queue (with their current label) until a
    human confirms or changes them. Ordered by how split the votes are (closest first).

    Raises:
        NotFoundError: No such set.
    """
    with store.connect() as conn:
        _repo.require_set(conn, name)
        loaded = _repo.load_items(conn, name)
        ratings = _repo.load_annotations(conn, name)
    entries = []
    for entry in loaded:
        item_ratings = ratings.get(entry.golden.item_id, [])
        if not _in_queue(entry.golden, item_ratings):
            continue
        totals = vote_totals(item_ratings)
        entries.append(
            QueueEntry(
                item_id=entry.golden.item_id,
                policy=entry.golden.policy,
                votes=dict(sorted(totals.items())),
                gold_label=entry.golden.gold_label,
                gold_method=entry.golden.gold_method,
                text=entry.text[:200],
            )
        )
    entries.sort(key=lambda e: (max(e.votes.values()) / sum(e.votes.values()), e.item_id))
    return entries[:limit] if limit is not None else entries


def check_label(config: GoldenSetConfig, label: str) -> None:
    """Refuse a label outside the set's declared labels.

    Raises:
        ValidationError: The set declares labels and `label` is not one of them.
    """
    if config.labels is not None and label not in config.labels:
        raise ValidationError(
            f"label {label!r} is not one of the set's labels {list(config.labels)}"
        )


def set_gold_label(
    store: Store, name: str, item_id: str, label: str, *, reason: str, actor: str
) -> Adjudication:
    """Set an item's gold label by human decision, keeping the previous one in the history.

    Args:
        store: The store.
        name: Golden set.
        item_id: Item to adjudicate.
        label: Gold label.
        reason: Why (required, kept in the history).
        actor: Who decides.

    Raises:
        NotFoundError: No such set or item in the set.
        ValidationError: Empty reason, or a label the set does not accept.
    """
    if not reason.strip():
        raise ValidationError("an adjudication needs a reason (--reason)")
    with store.begin() as conn:
        config = _repo.require_set(conn, name)
        check_label(config, label)
        golden = _repo.get_golden_item(conn, name, item_id)
        if golden is None:
            raise NotFoundError(f"item {item_id!r} is not in golden set {name!r}")
        ratings = _repo.load_annotations(conn, name, item_id).get(item_id, [])
        previous, _ = resolve_gold(golden, ratings)
        change = Adjudication(
            item_id=item_id,
            label=label,
            previous_label=previous,
            method="human",
            reason=reason.strip(),
            actor=actor,
            at=datetime.now(UTC),
        )
        _repo.set_gold_labels(conn, name, [change])
        record_audit_event(
            conn,
            actor=actor,
            action="golden.adjudicate",
            object_type="golden_set",
            object_id=name,
            details={"item_id": item_id, "label": label, "previous": previous, "reason": reason},
        )
    return change


def adjudication_history(store: Store, name: str, item_id: str | None = None) -> list[Adjudication]:
    """Every gold-label change of a set (or one item), oldest first."""
    with store.connect() as conn:
        _repo.require_set(conn, name)
        return _repo.adjudication_history(conn, name, item_id)


def _majority(totals: dict[str, int]) -> tuple[str | None, str]:
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    total = sum(totals.values())
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, "tie"
    return ranked[0][0], f"majority: {ranked[0][1]}/{total} votes"


def auto_adjudicate(
    store: Store, name: str, *, method: AutoMethod, actor: str
) -> AutoAdjudicationResult:
    """Set gold labels of the disagreement queue automatically.

    `majority` takes the label with most votes (ties stay unresolved). `dawid-skene` fits
    Dawid–Skene on every rating of the set (named annotators, plus anonymous votes pooled as
    one crowd annotator) and takes each item's most probable label. Human decisions are never
    overwritten. Every change is kept in the adjudication history.

    Raises:
        NotFoundError: No such set.
    """
    now = datetime.now(UTC)
    with store.begin() as conn:
        _repo.require_set(conn, name)
        loaded = [e.golden for e in _repo.load_items(conn, name)]
        ratings = _repo.load_annotations(conn, name)
        queue = [g for g in loaded if _in_queue(g, ratings.get(g.item_id, []))]
        human_kept = sum(
            1
            for g in loaded
            if g.gold_method == "human" and len({r.label for r in ratings.get(g.item_id, [])}) > 1
        )
        decided: dict[str, tuple[str | None, str]] = {}
        if method == "majority":
            for golden in queue:
                decided[golden.item_id] = _majority(vote_totals(ratings[golden.item_id]))
        else:
            decided = _dawid_skene_labels(loaded, ratings, {g.item_id for g in queue})
        changes = []
        unchanged = ties = 0
        for golden in queue:
            label, evidence = decided[golden.item_id]
            if label is None:
                ties += 1
            elif label == golden.gold_label:
                unchanged += 1
            else:
                changes.append(
                    Adjudication(
                        item_id=golden.item_id,
                        label=label,
                        previous_label=golden.gold_label,
                        method=method,
                        reason=evidence,
                        actor=actor,
                        at=now,
                    )
                )
        _repo.set_gold_labels(conn, name, changes)
        result = AutoAdjudicationResult(
            method=method,
            queue=len(queue),
            changed=len(changes),
            unchanged=unchanged,
            ties=ties,
            human_kept=human_kept,
        )
        record_audit_event(
            conn,
            actor=actor,
            action="golden.adjudicate_auto",
            object_type="golden_set",
            object_id=name,
            details=result.model_dump(),
        )
    return result


def _dawid_skene_labels(
    loaded: Sequence[GoldenRecord],
    ratings: dict[str, list[Rating]],
    wanted: set[str],
) -> dict[str, tuple[str | None, str]]:
    rated = [g.item_id for g in loaded if ratings.get(g.item_id)]
    if not wanted:
        return {}
    labels = sorted({r.label for i in rated for r in ratings[i]})
    annotators = sorted({r.annotator or CROWD for i in rated for r in ratings[i]})
    label_index = {label: k for k, label in enumerate(labels)}
    annotator_index = {a: k for k, a in enumerate(annotators)}
    item_idx, annotator_idx, label_idx, counts = [], [], [], []
    for row, item_id in enumerate(rated):
        for rating in ratings[item_id]:
            item_idx.append(row)
            annotator_idx.append(annotator_index[rating.annotator or CROWD])
            label_idx.append(label_index[rating.label])
            counts.append(rating.votes)
    fit = dawid_skene(
        item_idx,
        annotator_idx,
        label_idx,
        counts,
        n_items=len(rated),
        labels=labels,
        annotators=annotators,
    )
    decided: dict[str, tuple[str | None, str]] = {}
    for row, item_id in enumerate(rated):
        if item_id not in wanted:
            continue
        posterior = fit.posteriors[row]
        order = posterior.argsort()[::-1]
        best = float(posterior[order[0]])
        if len(order) > 1 and abs(best - float(posterior[order[1]])) < 1e-9:
            decided[item_id] = (None, "tie")
        else:
            decided[item_id] = (labels[order[0]], f"dawid-skene: posterior {best:.3f}")
    return decided


@dataclass(frozen=True)
class ResolvedItem:
    """A golden item with its ratings and its resolved gold label."""

    loaded: _repo.LoadedItem
    ratings: tuple[Rating, ...]
    gold: str | None
    method: GoldMethod | None

    @property
    def item_id(self) -> str:
        """The item's id."""
        return self.loaded.golden.item_id


def load_resolved(conn: Connection, name: str) -> list[ResolvedItem]:
    """Every item of a set with its ratings and resolved gold label, in item-id order.

    Raises:
        NotFoundError: No such set.
    """
    _repo.require_set(conn, name)
    ratings = _repo.load_annotations(conn, name)
    resolved = []
    for entry in _repo.load_items(conn, name):
        item_ratings = tuple(ratings.get(entry.golden.item_id, ()))
        gold, method = resolve_gold(entry.golden, item_ratings)
        resolved.append(ResolvedItem(entry, item_ratings, gold, method))
    return resolved
