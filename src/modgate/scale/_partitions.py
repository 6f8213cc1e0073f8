"""Partitioning: split item ids into fixed, named ranges of work (pure).

A partition is named by its position and its first and last id, so a re-run over the same
selection produces the same partitions; a failed or pre-empted partition is re-run whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from modgate.errors import ValidationError


class Partition(BaseModel):
    """One unit of distributed work: a contiguous slice of the sorted selection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    """Position among the run's partitions (0-based)."""
    item_ids: tuple[str, ...]
    """The ids, sorted."""

    @property
    def name(self) -> str:
        """Stable file-name stem: `part-00003`."""
        return f"part-{self.index:05d}"


def make_partitions(item_ids: Sequence[str], size: int) -> list[Partition]:
    """Split distinct ids, sorted, into partitions of at most `size`.

    Args:
        item_ids: Ids to split (duplicates are kept once).
        size: Most ids a partition holds.

    Returns:
        Partitions in id order; empty for no ids.

    Raises:
        ValidationError: `size` is below 1.
    """
    if size < 1:
        raise ValidationError(f"partition size must be at least 1, got {size}")
    ordered = sorted(set(item_ids))
    return [
        Partition(index=n, item_ids=tuple(ordered[start : start + size]))
        for n, start in enumerate(range(0, len(ordered), size))
    ]


__all__ = ["Partition", "make_partitions"]
