"""Per-item predictions of an eval run: the record, and a columnar table for the statistics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from modgate.errors import ValidationError
from modgate.evaluate._records import PredictionRecord


@dataclass(frozen=True)
class PredictionTable:
    """The predictions of a run as aligned columns (what the statistics read)."""

    item_ids: list[str]
    gold: npt.NDArray[np.bool_]
    predicted: npt.NDArray[np.bool_]
    scores: npt.NDArray[np.float64]
    actions: npt.NDArray[np.str_]
    errors: list[str | None]
    latency_ms: npt.NDArray[np.float64]
    cost: npt.NDArray[np.float64]
    criteria: list[tuple[str, ...]]
    gold_criteria: list[tuple[str, ...]]
    slices: dict[str, list[tuple[str, ...]]]

    def __len__(self) -> int:
        return len(self.item_ids)

    @property
    def has_error(self) -> npt.NDArray[np.bool_]:
        """Which items the enforcer failed on."""
        return np.array([e is not None for e in self.errors], dtype=bool)

    @classmethod
    def from_records(cls, records: Sequence[PredictionRecord]) -> PredictionTable:
        """Build the table from records.

        Raises:
            ValidationError: An item id appears twice.
        """
        ids = [r.item_id for r in records]
        if len(set(ids)) != len(ids):
            dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
            raise ValidationError(f"an item appears twice in the predictions: {dupes[:5]}")
        dimensions = sorted({d for r in records for d in r.slices})
        return cls(
            item_ids=ids,
            gold=np.array([r.gold for r in records], dtype=bool),
            predicted=np.array([r.predicted for r in records], dtype=bool),
            scores=np.array([np.nan if r.score is None else r.score for r in records], dtype=float),
            actions=np.array([r.action.value for r in records], dtype=str),
            errors=[r.error for r in records],
            latency_ms=np.array([r.latency_ms for r in records], dtype=float),
            cost=np.array([r.cost for r in records], dtype=float),
            criteria=[r.criteria for r in records],
            gold_criteria=[r.gold_criteria for r in records],
            slices={d: [r.slices.get(d, ()) for r in records] for d in dimensions},
        )

    def subset(self, index: npt.NDArray[np.int64]) -> PredictionTable:
        """The rows at `index`, in that order."""
        picks = index.tolist()
        return PredictionTable(
            item_ids=[self.item_ids[i] for i in picks],
            gold=self.gold[index],
            predicted=self.predicted[index],
            scores=self.scores[index],
            actions=self.actions[index],
            errors=[self.errors[i] for i in picks],
            latency_ms=self.latency_ms[index],
            cost=self.cost[index],
            criteria=[self.criteria[i] for i in picks],
            gold_criteria=[self.gold_criteria[i] for i in picks],
            slices={d: [v[i] for i in picks] for d, v in self.slices.items()},
        )


__all__ = ["PredictionRecord", "PredictionTable"]
