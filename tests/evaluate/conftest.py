from __future__ import annotations

import numpy as np

from modgate.domain import Action
from modgate.evaluate import PredictionRecord, slice_attributes


def make_records(n: int, seed: int = 0, *, shift: float = 0.3) -> list[PredictionRecord]:
    """Synthetic predictions with communities, tags, languages and criteria."""
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        gold = bool(rng.random() < 0.3)
        score = float(np.clip(rng.normal(0.3 + shift * gold, 0.2), 0.0, 1.0))
        action = Action.REMOVE if score >= 0.7 else Action.REVIEW if score >= 0.5 else Action.ALLOW
        tags = ["counter_speech"] if i % 9 == 0 else []
        records.append(
            PredictionRecord(
                item_id=f"i{i:05d}",
                gold=gold,
                score=round(score, 3),
                predicted=score >= 0.5,
                action=action,
                criteria=("slur",) if score >= 0.5 and i % 2 else (),
                gold_criteria=("slur",) if gold and i % 2 else (),
                latency_ms=float(rng.gamma(2.0, 3.0)),
                cost=0.001,
                error="timeout" if i % 97 == 0 else None,
                slices=slice_attributes(
                    policy="hate",
                    community=f"c{i % 4}",
                    tags=tags,
                    language="en" if i % 5 else "de",
                    text="x" * (i % 400),
                    agreement=[1.0, 0.67, 0.5][i % 3],
                ),
            )
        )
    return records
