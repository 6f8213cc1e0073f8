"""Slices: which items fall in which slice, derived slice attributes, worst slices. Pure.

A slice is one value of one dimension (`community=askhistorians`, `tag=counter_speech`). An item
may belong to several slices of one dimension (an item with two tags is in both tag slices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from modgate.evaluate._records import as_tuple

SLICE_DIMENSIONS: tuple[str, ...] = (
    "policy",
    "community",
    "criterion",
    "allowed_context",
    "tag",
    "language",
    "text_length",
    "agreement",
)
"""Dimensions modgate slices by, in report order."""

PROTECTED_TAGS: tuple[str, ...] = ("counter_speech", "news", "quote", "quotation", "satire")
"""Tags and allowed contexts whose false-positive rate release gates usually guard."""

TEXT_LENGTH_BUCKETS: tuple[tuple[int, str], ...] = (
    (50, "short (<50 chars)"),
    (200, "medium (50-199)"),
    (1000, "long (200-999)"),
)

_LONGEST = "very long (1000+)"


def text_length_bucket(length: int) -> str:
    """Text length bucket of a text of `length` characters."""
    for limit, name in TEXT_LENGTH_BUCKETS:
        if length < limit:
            return name
    return _LONGEST


def agreement_level(agreement: float | None, raters: int | None = None) -> str | None:
    """Annotator-agreement level from the share of annotators behind the gold label.

    A gold label resting on one rating agrees with itself trivially: it is `single rating`,
    never `unanimous`.

    Returns:
        `single rating` (raters == 1), `unanimous` (1.0 over two or more), `high` (≥ 0.8),
        `medium` (≥ 0.6), `low` (below), or None when unknown.
    """
    if raters == 1:
        return "single rating"
    if agreement is None or np.isnan(agreement):
        return None
    if agreement >= 1.0 - 1e-9:
        return "unanimous"
    if agreement >= 0.8:
        return "high"
    if agreement >= 0.6:
        return "medium"
    return "low"


def slice_attributes(
    *,
    policy: str | None = None,
    community: str | None = None,
    gold_criteria: Sequence[str] = (),
    allowed_context: Sequence[str] = (),
    tags: Sequence[str] = (),
    language: str | None = None,
    text: str | None = None,
    agreement: float | None = None,
    raters: int | None = None,
) -> dict[str, tuple[str, ...]]:
    """The slice values of one item, by dimension (dimensions with no value are left out)."""
    values: dict[str, tuple[str, ...]] = {}

    def put(dimension: str, found: Sequence[str | None]) -> None:
        kept = tuple(sorted({v for v in found if v}))
        if kept:
            values[dimension] = kept

    put("policy", [policy])
    put("community", [community])
    put("criterion", list(gold_criteria))
    put("allowed_context", list(allowed_context))
    put("tag", list(tags))
    put("language", [language])
    put("text_length", [text_length_bucket(len(text))] if text is not None else [])
    put("agreement", [agreement_level(agreement, raters)])
    return values


@dataclass(frozen=True)
class SliceIndex:
    """Membership of items in slices as two aligned index arrays (one entry per membership)."""

    keys: list[tuple[str, str]]
    """(dimension, value) of each slice, sorted by dimension order then value."""
    item_idx: npt.NDArray[np.int64]
    """Item position of each membership."""
    slice_idx: npt.NDArray[np.int64]
    """Slice position of each membership."""

    @property
    def names(self) -> list[str]:
        """`dimension=value` of each slice."""
        return [f"{d}={v}" for d, v in self.keys]

    def members(self) -> list[npt.NDArray[np.int64]]:
        """Item positions of each slice."""
        order = np.argsort(self.slice_idx, kind="stable")
        bounds = np.searchsorted(self.slice_idx[order], np.arange(len(self.keys) + 1))
        return [self.item_idx[order[bounds[s] : bounds[s + 1]]] for s in range(len(self.keys))]


def _dimension_rank(dimension: str) -> tuple[int, str]:
    if dimension in SLICE_DIMENSIONS:
        return (SLICE_DIMENSIONS.index(dimension), dimension)
    return (len(SLICE_DIMENSIONS), dimension)


def slice_index(
    slices: Mapping[str, Sequence[Sequence[str]]], dimensions: Sequence[str] | None = None
) -> SliceIndex:
    """Index the items' slice values.

    Args:
        slices: Dimension → per-item values (as in `PredictionTable.slices`).
        dimensions: Dimensions to index (default: every one present).

    Returns:
        The membership index.
    """
    chosen = [d for d in (dimensions or list(slices)) if d in slices]
    chosen.sort(key=_dimension_rank)
    keys: list[tuple[str, str]] = []
    items: list[int] = []
    codes: list[int] = []
    for dimension in chosen:
        per_item = slices[dimension]
        values = sorted({v for row in per_item for v in row})
        position = {v: len(keys) + i for i, v in enumerate(values)}
        keys.extend((dimension, v) for v in values)
        for item, row in enumerate(per_item):
            for value in row:
                items.append(item)
                codes.append(position[value])
    return SliceIndex(
        keys=keys,
        item_idx=np.asarray(items, dtype=np.int64),
        slice_idx=np.asarray(codes, dtype=np.int64),
    )


def worst_ranking(
    lowers: Sequence[float | None],
    uppers: Sequence[float | None],
    supported: Sequence[bool],
    *,
    higher_is_better: bool,
    limit: int,
) -> list[int]:
    """Positions of the worst slices, worst first, by their interval's pessimistic bound.

    A higher-is-better figure ranks by its lower bound (ascending); a lower-is-better one
    (false-positive rate) by its upper bound (descending). Slices with too little support or
    no interval are left out.
    """
    candidates: list[tuple[float, int]] = []
    for position, (low, high, ok) in enumerate(zip(lowers, uppers, supported, strict=True)):
        bound = low if higher_is_better else high
        if not ok or bound is None or np.isnan(bound):
            continue
        candidates.append((bound if higher_is_better else -bound, position))
    candidates.sort()
    return [position for _, position in candidates[:limit]]


__all__ = [
    "PROTECTED_TAGS",
    "SLICE_DIMENSIONS",
    "SliceIndex",
    "agreement_level",
    "as_tuple",
    "slice_attributes",
    "slice_index",
    "text_length_bucket",
    "worst_ranking",
]
