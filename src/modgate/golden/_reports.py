"""Reports over a stored golden set: agreement, coverage and checks (loading + pure computation)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modgate.errors import ValidationError
from modgate.golden._adjudicate import ResolvedItem, load_resolved
from modgate.golden._agreement import AgreementReport, RatedItem, measure_agreement
from modgate.golden._checks import (
    CheckReport,
    duplicate_clusters,
    find_label_conflicts,
    find_leakage,
    find_near_duplicates,
    measure_source_balance,
)
from modgate.golden._coverage import DIMENSIONS, CoverageRecord, CoverageReport, Dimension
from modgate.golden._coverage import measure_coverage as _measure_coverage
from modgate.golden._io import read_texts
from modgate.golden._repo import require_set
from modgate.golden._schema import Annotation
from modgate.store import Store


def golden_agreement(
    store: Store, name: str, *, flag_margin: float = 0.2, min_annotator_items: int = 10
) -> AgreementReport:
    """Agreement of a golden set's annotations, overall and by policy, tag and community.

    Raises:
        NotFoundError: No such set.
    """
    with store.connect() as conn:
        resolved = load_resolved(conn, name)
    rated = [
        RatedItem(
            item_id=entry.item_id,
            ratings=tuple(Annotation.model_construct(**r._asdict()) for r in entry.ratings),
            policy=entry.loaded.golden.policy,
            tags=entry.loaded.golden.tags,
            community=entry.loaded.community,
            gold=entry.gold if entry.method not in (None, "unanimous") else None,
        )
        for entry in resolved
        if entry.ratings
    ]
    return measure_agreement(
        rated, flag_margin=flag_margin, min_annotator_items=min_annotator_items
    )


def golden_coverage(
    store: Store, name: str, *, by: Sequence[Dimension] = DIMENSIONS
) -> CoverageReport:
    """Coverage counts of a golden set and the gaps against its declared targets.

    Raises:
        NotFoundError: No such set.
    """
    with store.connect() as conn:
        config = require_set(conn, name)
        resolved = load_resolved(conn, name)
    records = [
        CoverageRecord(
            policy=e.loaded.golden.policy,
            label=e.gold,
            criteria=e.loaded.golden.criteria,
            allowed=e.loaded.golden.allowed,
            community=e.loaded.community,
            tags=e.loaded.golden.tags,
        )
        for e in resolved
    ]
    return _measure_coverage(records, config.targets, by=by)


def _texts(resolved: Sequence[ResolvedItem]) -> list[tuple[str, str]]:
    return [(e.item_id, e.loaded.text) for e in resolved]


def check_golden_set(
    store: Store,
    name: str,
    *,
    training_set: str | None = None,
    training_file: Path | None = None,
    threshold: float | None = None,
) -> CheckReport:
    """Run every check on a golden set.

    The checks: near-duplicates, conflicting labels on duplicates, leakage into a training
    set (another golden set or a file), class balance by source.

    Args:
        store: The store.
        name: Golden set to check.
        training_set: Another golden set used for training.
        training_file: A training file (CSV, JSONL, Parquet with `id` and `text` columns).
        threshold: Near-duplicate Jaccard threshold (default: the set's config).

    Raises:
        NotFoundError: No such set.
        ValidationError: Both a training set and a training file were given.
    """
    if training_set is not None and training_file is not None:
        raise ValidationError("give a training set or a training file, not both")
    with store.connect() as conn:
        config = require_set(conn, name)
        resolved = load_resolved(conn, name)
        training = _texts(load_resolved(conn, training_set)) if training_set else None
    if training_file is not None:
        training = read_texts(training_file)
    limit = threshold if threshold is not None else config.near_duplicate_threshold
    pairs = find_near_duplicates(_texts(resolved), threshold=limit)
    clusters = duplicate_clusters(pairs)
    conflicts = find_label_conflicts(clusters, {e.item_id: e.gold for e in resolved})
    leaks = find_leakage(_texts(resolved), training, threshold=limit) if training else []
    balance = measure_source_balance((e.loaded.golden.source, e.gold) for e in resolved)
    return CheckReport(
        near_duplicates=tuple(pairs),
        conflicts=tuple(conflicts),
        leaks=tuple(leaks),
        balance=tuple(balance),
        items=len(resolved),
        training_rows=None if training is None else len(training),
    )
