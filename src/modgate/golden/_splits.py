"""Grouped, label-stratified, deterministic train/dev/test assignment (pure).

Items linked by any grouping key (imported group, thread parent, source, near-duplicate
cluster) form one group and land in one split, so nothing leaks across splits. Within each
stratum (a group's majority gold label) groups are visited in the order of a seeded sha256 of
their key and each goes to the split furthest below its target share. The result depends only
on the items, their labels and keys, and the seed: the same input always gives the same
splits, whatever order it arrives in.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from modgate.golden._components import component_names
from modgate.golden._schema import SPLITS


class SplitItem(BaseModel):
    """One item to place in a split."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The item."""
    label: str
    """Its gold label (the stratum)."""
    keys: tuple[str, ...] = ()
    """Grouping keys; items sharing any key share a split (`group:…`, `item:…`, …)."""


def link_groups(items: Sequence[SplitItem]) -> dict[str, str]:
    """Group name of every item: the smallest key of its connected component (union-find)."""
    names = component_names(
        (f"item:{item.item_id}" for item in items),
        ((f"item:{item.item_id}", key) for item in items for key in item.keys),
    )
    return {item.item_id: names[f"item:{item.item_id}"] for item in items}


def _order(seed: int, group: str) -> bytes:
    return hashlib.sha256(f"{seed}\x1f{group}".encode()).digest()


def assign_splits(
    items: Sequence[SplitItem], ratios: Mapping[str, float], *, seed: int = 0
) -> dict[str, tuple[str, str]]:
    """Assign every item to a split, grouped and stratified by label.

    Args:
        items: Items with gold label and grouping keys.
        ratios: Target share per split name (train, dev, test); sums to 1.
        seed: Seed of the group order.

    Returns:
        `{item_id: (split, group)}`.
    """
    names = [s for s in SPLITS if ratios.get(s, 0.0) > 0]
    if not names:
        raise ValueError("at least one split needs a share above 0")
    groups = link_groups(items)
    members: dict[str, list[SplitItem]] = defaultdict(list)
    for item in items:
        members[groups[item.item_id]].append(item)
    strata: dict[str, list[str]] = defaultdict(list)
    for group, group_items in members.items():
        counts = Counter(i.label for i in group_items)
        stratum = min(counts, key=lambda label: (-counts[label], label))
        strata[stratum].append(group)
    result: dict[str, tuple[str, str]] = {}
    for stratum in sorted(strata):
        ordered = sorted(strata[stratum], key=lambda g: (_order(seed, g), g))
        total = sum(len(members[g]) for g in ordered)
        filled = dict.fromkeys(names, 0)
        for group in ordered:
            size = len(members[group])
            # the split with the largest shortfall against its target share takes the group
            split = max(names, key=lambda s: (ratios[s] * total - filled[s], -names.index(s)))
            filled[split] += size
            for item in members[group]:
                result[item.item_id] = (split, group)
    return result
