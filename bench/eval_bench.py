"""Eval figures at scale: 200,000 predictions, 30 slices, 1,000 bootstrap resamples.

Prints the seconds `compute_eval_figures` takes (every headline figure with its interval,
overall, per action band and per slice; target ≤ 15 s) and, measured in the same run, a naive
baseline: an item-level stratified bootstrap calling scikit-learn once per resample and figure,
timed on a few resamples of a few slices and extrapolated to the same work.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from modgate.evaluate import FigureConfig, PredictionTable, compute_eval_figures

N_ITEMS = 200_000
N_RESAMPLES = 1_000
TARGET_SECONDS = 15.0


def make_table(rng: np.random.Generator) -> PredictionTable:
    gold = rng.random(N_ITEMS) < 0.3
    scores = np.clip(rng.normal(0.35 + 0.3 * gold, 0.18), 0.0, 1.0).round(4)
    predicted = scores >= 0.5
    actions = np.where(scores >= 0.8, "remove", np.where(predicted, "review", "allow"))
    communities = rng.integers(0, 20, N_ITEMS)  # 20 community slices
    tags = rng.integers(0, 25, N_ITEMS)  # 5 tag slices (a fifth of the items carry a tag)
    lengths = rng.integers(0, 5, N_ITEMS)  # 5 length slices
    tag_names = ["counter_speech", "news", "quote", "satire", "reclaimed"]
    return PredictionTable(
        item_ids=[str(i) for i in range(N_ITEMS)],
        gold=gold,
        predicted=predicted,
        scores=scores,
        actions=actions.astype(str),
        errors=[None] * N_ITEMS,
        latency_ms=rng.gamma(2.0, 5.0, N_ITEMS),
        cost=np.zeros(N_ITEMS),
        criteria=[()] * N_ITEMS,
        gold_criteria=[()] * N_ITEMS,
        slices={
            "community": [(f"c{c:02d}",) for c in communities],
            "tag": [(tag_names[t],) if t < 5 else () for t in tags],
            "text_length": [(f"bucket{b}",) for b in lengths],
        },
    )


def naive_seconds_per_resample_slice(table: PredictionTable, rng: np.random.Generator) -> float:
    """One slice, item-level stratified bootstrap, scikit-learn per resample: seconds each."""
    members = np.flatnonzero(np.array([row == ("c00",) for row in table.slices["community"]]))
    gold = table.gold[members]
    pred = table.predicted[members]
    scores = table.scores[members]
    pos, neg = np.flatnonzero(gold), np.flatnonzero(~gold)
    resamples = 10
    start = time.perf_counter()
    for _ in range(resamples):
        pick = np.concatenate(
            [rng.choice(pos, pos.size, replace=True), rng.choice(neg, neg.size, replace=True)]
        )
        y, p, s = gold[pick], pred[pick], scores[pick]
        precision_score(y, p)
        recall_score(y, p)
        f1_score(y, p)
        recall_score(y, p, pos_label=False)
        average_precision_score(y, s)
        roc_auc_score(y, s)
    return (time.perf_counter() - start) / resamples, members.size


def main() -> None:
    rng = np.random.default_rng(7)
    table = make_table(rng)
    config = FigureConfig()
    assert config.intervals.resamples == N_RESAMPLES
    start = time.perf_counter()
    figures = compute_eval_figures(table, config)
    seconds = time.perf_counter() - start
    n_slices = len(figures.slices)
    memberships = sum(group.n for group in figures.slices)
    per_resample, slice_size = naive_seconds_per_resample_slice(table, rng)
    # Extrapolate: cost grows with the items resampled (overall + every slice membership).
    naive = per_resample * N_RESAMPLES * (N_ITEMS + memberships) / slice_size
    print(f"items: {N_ITEMS:,}  slices: {n_slices}  resamples: {N_RESAMPLES:,}")
    print(f"modgate compute_eval_figures: {seconds:.2f} s (target <= {TARGET_SECONDS:.0f} s)")
    print(
        f"naive item bootstrap + scikit-learn per resample (extrapolated from "
        f"{slice_size:,}-item slice x 10 resamples): {naive:.1f} s"
    )
    print(f"speed-up vs naive: {naive / seconds:.1f}x")
    print("target met" if seconds <= TARGET_SECONDS else "TARGET MISSED")


if __name__ == "__main__":
    main()
