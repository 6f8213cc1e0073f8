"""Coverage of a golden set against the targets declared in its config (pure).

Counts per policy × label × criterion × allowed context × community × tag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import product

from pydantic import BaseModel, ConfigDict

from modgate.golden._choices import DIMENSIONS as DIMENSIONS
from modgate.golden._choices import Dimension as Dimension
from modgate.golden._schema import CoverageTarget


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoverageRecord(_Frozen):
    """The coverage facets of one golden item."""

    policy: str
    """Policy id."""
    label: str | None
    """Gold label (None while unresolved)."""
    criteria: tuple[str, ...] = ()
    """Criteria ids."""
    allowed: tuple[str, ...] = ()
    """Allowed-context ids."""
    community: str | None = None
    """Community."""
    tags: tuple[str, ...] = ()
    """Tags."""


class CoverageCell(_Frozen):
    """Number of items in one cell of the coverage table (None: the item has no such value)."""

    policy: str | None = None
    """Policy id (None when not counted by policy)."""
    label: str | None = None
    """Gold label."""
    criterion: str | None = None
    """Criterion id."""
    allowed: str | None = None
    """Allowed-context id."""
    community: str | None = None
    """Community."""
    tag: str | None = None
    """Tag."""
    count: int
    """Items in the cell (an item with two tags counts in both tag cells)."""


class TargetResult(_Frozen):
    """A coverage target and how far the set is from it."""

    target: str
    """The target's conditions, e.g. `policy=hate_speech, allowed=counter_speech`."""
    min: int
    """Required count."""
    count: int
    """Matching items."""
    gap: int
    """Items missing (0 when met)."""
    met: bool
    """Whether the target is met."""


class CoverageReport(_Frozen):
    """Coverage counts and target results of a golden set."""

    by: tuple[Dimension, ...]
    """Dimensions of the counts."""
    cells: tuple[CoverageCell, ...]
    """Counts per combination of the `by` dimensions, largest first."""
    targets: tuple[TargetResult, ...]
    """Every declared target with its gap."""
    items: int
    """Items counted."""

    @property
    def gaps(self) -> tuple[TargetResult, ...]:
        """Targets not met."""
        return tuple(t for t in self.targets if not t.met)


def _values(record: CoverageRecord, dimension: Dimension) -> tuple[str | None, ...]:
    if dimension == "policy":
        return (record.policy,)
    if dimension == "label":
        return (record.label,)
    if dimension == "community":
        return (record.community,)
    multi = {"criterion": record.criteria, "allowed": record.allowed, "tag": record.tags}
    return multi[dimension] or (None,)


def _matches(record: CoverageRecord, target: CoverageTarget) -> bool:
    return (
        (target.policy is None or record.policy == target.policy)
        and (target.label is None or record.label == target.label)
        and (target.criterion is None or target.criterion in record.criteria)
        and (target.allowed is None or target.allowed in record.allowed)
        and (target.community is None or record.community == target.community)
        and (target.tag is None or target.tag in record.tags)
    )


def measure_coverage(
    records: Iterable[CoverageRecord],
    targets: Sequence[CoverageTarget] = (),
    *,
    by: Sequence[Dimension] = DIMENSIONS,
) -> CoverageReport:
    """Count items per combination of `by` and check each target.

    Multi-valued facets (criteria, allowed contexts, tags) are exploded: an item with two tags
    counts once in each tag's cell; an item with none counts in the empty (None) cell.

    Args:
        records: Coverage facets of each item.
        targets: Declared minimum counts.
        by: Dimensions to count by, in column order.

    Returns:
        Cells (largest first, ties in key order) and every target with its gap.
    """
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown coverage dimensions {unknown}; expected among {DIMENSIONS}")
    records = list(records)
    counter: Counter[tuple[str | None, ...]] = Counter()
    for record in records:
        for combo in product(*(_values(record, d) for d in by)):
            counter[combo] += 1
    cells = [
        CoverageCell(count=count, **dict(zip(by, combo, strict=True)))
        for combo, count in sorted(
            counter.items(), key=lambda kv: (-kv[1], tuple(v or "" for v in kv[0]))
        )
    ]
    results = []
    for target in targets:
        count = sum(1 for record in records if _matches(record, target))
        results.append(
            TargetResult(
                target=target.describe(),
                min=target.min,
                count=count,
                gap=max(0, target.min - count),
                met=count >= target.min,
            )
        )
    return CoverageReport(
        by=tuple(by), cells=tuple(cells), targets=tuple(results), items=len(records)
    )
