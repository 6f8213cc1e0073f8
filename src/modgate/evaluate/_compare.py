"""Paired comparison of two runs on the same items: deltas, McNemar, slices, flips. Pure.

When the two enforcers differ only by a policy or prompt edit, this is the edit's flip report:
which items changed, in which slices, and whether they are the ones the edit meant to change
(`target_slices`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from modgate.errors import ValidationError
from modgate.evaluate._figures import FigureConfig
from modgate.evaluate._intervals import (
    paired_bootstrap_deltas,
    paired_cell_counts,
    paired_ranking_deltas,
)
from modgate.evaluate._metrics import COUNT_METRICS, RANKING_METRICS, ranking_metric
from modgate.evaluate._predictions import PredictionTable
from modgate.evaluate._slices import slice_index

_EXACT_BELOW = 25
"""McNemar uses the exact binomial test when fewer discordant pairs than this."""


class DeltaValue(BaseModel):
    """One figure before (run A) and after (run B), with the paired interval of B - A."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Figure name."""
    before: float | None
    """Value in run A."""
    after: float | None
    """Value in run B."""
    delta: float | None
    """after - before."""
    lower: float | None = None
    """Lower bound of the paired bootstrap interval of the delta."""
    upper: float | None = None
    """Upper bound."""
    support: int | None = None
    """Items the figure rests on: the smaller of its two runs' denominators (violating items
    for recall, predicted-violating for precision, scored violating for AUPRC…)."""


class McNemarResult(BaseModel):
    """McNemar's test of the two runs' correctness on the same items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    both_correct: int
    """Items both runs got right."""
    only_a_correct: int
    """Items only run A got right (B broke them)."""
    only_b_correct: int
    """Items only run B got right (B fixed them)."""
    both_wrong: int
    """Items both runs got wrong."""
    statistic: float | None
    """Test statistic (chi-square, or the smaller discordant count for the exact test)."""
    p_value: float | None
    """p-value of 'both runs are equally accurate' (None without discordant pairs)."""
    exact: bool
    """Whether the exact binomial version was used."""


class SliceDelta(BaseModel):
    """Deltas of one slice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """`dimension=value`."""
    n: int
    """Items in the slice."""
    flips: int
    """Items whose prediction changed."""
    fixed: int
    """Flips that made the prediction right."""
    broken: int
    """Flips that made the prediction wrong."""
    deltas: tuple[DeltaValue, ...]
    """Count figures' deltas with paired intervals."""
    low_support: bool
    """Fewer items than the configured minimum."""
    targeted: bool = False
    """Whether the edit meant to change this slice."""


class FlippedItem(BaseModel):
    """An item whose predicted label differs between the runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The item."""
    text: str | None = None
    """Its text, when known."""
    gold: bool
    """Gold label."""
    before: bool
    """Run A's prediction."""
    after: bool
    """Run B's prediction."""
    score_before: float | None
    """Run A's score."""
    score_after: float | None
    """Run B's score."""
    action_before: str
    """Run A's action."""
    action_after: str
    """Run B's action."""
    change: Literal["fixed", "broken"]
    """`fixed`: B is right where A was wrong; `broken`: the reverse."""
    slices: tuple[str, ...]
    """Slices the item is in."""
    targeted: bool
    """Whether the item is in a slice the edit meant to change."""


class CostLatencyDelta(BaseModel):
    """Cost and latency per item in both runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cost_per_item_before: float | None
    """Mean cost per item in run A."""
    cost_per_item_after: float | None
    """Mean cost per item in run B."""
    cost_total_delta: float
    """Total cost B - A."""
    latency_ms_mean_before: float | None
    """Mean latency in run A."""
    latency_ms_mean_after: float | None
    """Mean latency in run B."""
    latency_ms_p95_before: float | None
    """95th percentile latency in run A."""
    latency_ms_p95_after: float | None
    """95th percentile latency in run B."""


class ComparisonReport(BaseModel):
    """Run B against run A, item by item."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_a: str | None
    """Id of the baseline run."""
    run_b: str | None
    """Id of the candidate run."""
    n_items: int
    """Items in both runs (the paired set)."""
    only_in_a: int
    """Items only run A has (left out)."""
    only_in_b: int
    """Items only run B has (left out)."""
    overall: tuple[DeltaValue, ...]
    """Headline deltas."""
    mcnemar: McNemarResult
    """McNemar's test on correctness."""
    slices: tuple[SliceDelta, ...]
    """Per-slice deltas."""
    n_flipped: int
    """Items whose predicted label changed."""
    fixed: int
    """Flips that made the prediction right."""
    broken: int
    """Flips that made the prediction wrong."""
    target_slices: tuple[str, ...]
    """Slices the edit meant to change."""
    flipped_in_target: int
    """Flips inside the target slices."""
    flipped_outside_target: int
    """Flips outside them (collateral changes)."""
    flipped: tuple[FlippedItem, ...]
    """The flipped items (up to the limit), broken first."""
    cost_latency: CostLatencyDelta
    """Cost and latency in both runs."""

    def delta(self, name: str) -> DeltaValue:
        """The overall delta of figure `name`.

        Raises:
            ValidationError: Unknown figure.
        """
        for value in self.overall:
            if value.name == name:
                return value
        raise ValidationError(f"no delta for {name!r}")

    def with_texts(self, texts: Mapping[str, str]) -> ComparisonReport:
        """A copy whose flipped items carry their texts."""
        flipped = tuple(
            f.model_copy(update={"text": texts.get(f.item_id, f.text)}) for f in self.flipped
        )
        return self.model_copy(update={"flipped": flipped})


def _none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def align_tables(a: PredictionTable, b: PredictionTable) -> tuple[PredictionTable, PredictionTable]:
    """Both tables restricted to their common items, in the same order."""
    position_b = {item: i for i, item in enumerate(b.item_ids)}
    pairs = [(i, position_b[item]) for i, item in enumerate(a.item_ids) if item in position_b]
    index_a = np.array([p[0] for p in pairs], dtype=np.int64)
    index_b = np.array([p[1] for p in pairs], dtype=np.int64)
    return a.subset(index_a), b.subset(index_b)


def mcnemar_test(
    correct_a: npt.NDArray[np.bool_], correct_b: npt.NDArray[np.bool_]
) -> McNemarResult:
    """McNemar's test (statsmodels) on two runs' per-item correctness.

    Exact binomial below 25 discordant pairs, else chi-square with continuity correction.
    """
    from statsmodels.stats.contingency_tables import mcnemar

    both = int((correct_a & correct_b).sum())
    only_a = int((correct_a & ~correct_b).sum())
    only_b = int((~correct_a & correct_b).sum())
    neither = int((~correct_a & ~correct_b).sum())
    discordant = only_a + only_b
    exact = discordant < _EXACT_BELOW
    if discordant == 0:
        return McNemarResult(
            both_correct=both, only_a_correct=only_a, only_b_correct=only_b,
            both_wrong=neither, statistic=None, p_value=None, exact=exact,
        )  # fmt: skip
    result = mcnemar([[both, only_a], [only_b, neither]], exact=exact, correction=True)
    return McNemarResult(
        both_correct=both,
        only_a_correct=only_a,
        only_b_correct=only_b,
        both_wrong=neither,
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        exact=exact,
    )


def _cost_latency(a: PredictionTable, b: PredictionTable) -> CostLatencyDelta:
    def mean(values: npt.NDArray[np.float64]) -> float | None:
        return float(values.mean()) if values.size else None

    def p95(values: npt.NDArray[np.float64]) -> float | None:
        return float(np.percentile(values, 95)) if values.size else None

    return CostLatencyDelta(
        cost_per_item_before=mean(a.cost),
        cost_per_item_after=mean(b.cost),
        cost_total_delta=float(b.cost.sum() - a.cost.sum()),
        latency_ms_mean_before=mean(a.latency_ms),
        latency_ms_mean_after=mean(b.latency_ms),
        latency_ms_p95_before=p95(a.latency_ms),
        latency_ms_p95_after=p95(b.latency_ms),
    )


def compare_predictions(
    a: PredictionTable,
    b: PredictionTable,
    *,
    config: FigureConfig | None = None,
    target_slices: Sequence[str] = (),
    flip_limit: int = 200,
    run_a: str | None = None,
    run_b: str | None = None,
) -> ComparisonReport:
    """Compare run B's predictions with run A's on their common items.

    Args:
        a: Baseline predictions.
        b: Candidate predictions.
        config: Interval settings and minimum support.
        target_slices: `dimension=value` slices the edit meant to change.
        flip_limit: Most flipped items listed (all are counted).
        run_a: Id of run A, for the report.
        run_b: Id of run B.

    Returns:
        The comparison.

    Raises:
        ValidationError: The runs share no item, or disagree on an item's gold label.
    """
    cfg = config or FigureConfig()
    pa, pb = align_tables(a, b)
    if len(pa) == 0:
        raise ValidationError("the two runs share no item: nothing to compare")
    if not np.array_equal(pa.gold, pb.gold):
        bad = [pa.item_ids[i] for i in np.flatnonzero(pa.gold != pb.gold)[:5]]
        raise ValidationError(f"the runs disagree on gold labels (e.g. {bad}): not the same set")
    rng = np.random.default_rng(cfg.intervals.seed)
    gold = pa.gold
    index = slice_index(pb.slices)
    members = index.members()
    n_groups = 1 + len(members)
    group_items = [np.arange(len(pa), dtype=np.int64), *members]
    item_idx = np.concatenate(group_items)
    group_idx = np.repeat(np.arange(n_groups, dtype=np.int64), [len(m) for m in group_items])
    cells = paired_cell_counts(
        gold[item_idx], pa.predicted[item_idx], pb.predicted[item_idx], group_idx, n_groups
    )
    deltas = paired_bootstrap_deltas(cells, cfg.intervals, rng)

    def count_deltas(group: int) -> list[DeltaValue]:
        out = []
        for name in COUNT_METRICS:
            delta, low, high = deltas[name]
            before, after, support = _group_values(cells[group], name)
            out.append(
                DeltaValue(
                    name=name,
                    before=before,
                    after=after,
                    delta=_none(delta[group]),
                    lower=_none(low[group]),
                    upper=_none(high[group]),
                    support=support,
                )
            )
        return out

    overall = count_deltas(0)
    # Ranking deltas are measured on the items both runs scored, so the pair is one sample.
    both = ~np.isnan(pa.scores) & ~np.isnan(pb.scores)
    exact: dict[str, tuple[float | None, float | None]] = {
        name: (
            ranking_metric(name, gold[both], pa.scores[both], warn=False),
            ranking_metric(name, gold[both], pb.scores[both], warn=False),
        )
        for name in RANKING_METRICS
    }
    ranking_bounds = paired_ranking_deltas(
        gold, pa.scores, pb.scores, cfg.intervals, rng, exact=exact
    )
    positives = int(gold[both].sum())
    for name in RANKING_METRICS:
        before_r, after_r = exact[name]
        defined = before_r is not None and after_r is not None
        low_r, high_r = ranking_bounds[name]
        overall.append(
            DeltaValue(
                name=name,
                before=before_r,
                after=after_r,
                delta=after_r - before_r if before_r is not None and after_r is not None else None,
                lower=_none(low_r) if defined else None,
                upper=_none(high_r) if defined else None,
                support=positives
                if name == "auprc"
                else min(positives, int(both.sum()) - positives),
            )
        )
    correct_a = pa.predicted == gold
    correct_b = pb.predicted == gold
    flipped_mask = pa.predicted != pb.predicted
    targets = set(target_slices)
    names = index.names
    item_slices: list[list[str]] = [[] for _ in range(len(pa))]
    for item, code in zip(index.item_idx.tolist(), index.slice_idx.tolist(), strict=True):
        item_slices[item].append(names[code])
    slice_rows = []
    for s, member in enumerate(members):
        flips = flipped_mask[member]
        slice_rows.append(
            SliceDelta(
                name=names[s],
                n=len(member),
                flips=int(flips.sum()),
                fixed=int((flips & correct_b[member]).sum()),
                broken=int((flips & correct_a[member]).sum()),
                deltas=tuple(count_deltas(s + 1)),
                low_support=len(member) < cfg.min_support,
                targeted=names[s] in targets,
            )
        )
    flipped_items: list[FlippedItem] = []
    in_target = 0
    for i in np.flatnonzero(flipped_mask).tolist():
        targeted = bool(targets.intersection(item_slices[i]))
        in_target += targeted
        flipped_items.append(
            FlippedItem(
                item_id=pa.item_ids[i],
                gold=bool(gold[i]),
                before=bool(pa.predicted[i]),
                after=bool(pb.predicted[i]),
                score_before=_none(pa.scores[i]),
                score_after=_none(pb.scores[i]),
                action_before=str(pa.actions[i]),
                action_after=str(pb.actions[i]),
                change="fixed" if correct_b[i] else "broken",
                slices=tuple(item_slices[i]),
                targeted=targeted,
            )
        )
    flipped_items.sort(key=lambda f: (f.change != "broken", f.item_id))
    n_flipped = len(flipped_items)
    fixed = sum(f.change == "fixed" for f in flipped_items)
    return ComparisonReport(
        run_a=run_a,
        run_b=run_b,
        n_items=len(pa),
        only_in_a=len(a) - len(pa),
        only_in_b=len(b) - len(pb),
        overall=tuple(overall),
        mcnemar=mcnemar_test(correct_a, correct_b),
        slices=tuple(slice_rows),
        n_flipped=n_flipped,
        fixed=fixed,
        broken=n_flipped - fixed,
        target_slices=tuple(target_slices),
        flipped_in_target=in_target,
        flipped_outside_target=n_flipped - in_target,
        flipped=tuple(flipped_items[:flip_limit]),
        cost_latency=_cost_latency(pa, pb),
    )


def _group_values(
    cells: npt.NDArray[np.int64], name: str
) -> tuple[float | None, float | None, int]:
    # cells: (2, 4) gold class × (2 * a + b)
    neg, pos = cells[0].astype(float), cells[1].astype(float)
    values = []
    supports = []
    for hit, miss in (((2, 3), (0, 1)), ((1, 3), (0, 2))):
        tp, fn = pos[list(hit)].sum(), pos[list(miss)].sum()
        fp, tn = neg[list(hit)].sum(), neg[list(miss)].sum()
        denominator = {
            "precision": (tp, tp + fp),
            "recall": (tp, tp + fn),
            "f1": (2 * tp, 2 * tp + fp + fn),
            "fpr": (fp, fp + tn),
        }[name]
        values.append(denominator[0] / denominator[1] if denominator[1] > 0 else None)
        supports.append(int(denominator[1]) if name != "f1" else int(tp + fp + fn))
    return values[0], values[1], min(supports)


__all__ = [
    "ComparisonReport",
    "CostLatencyDelta",
    "DeltaValue",
    "FlippedItem",
    "McNemarResult",
    "SliceDelta",
    "align_tables",
    "compare_predictions",
    "mcnemar_test",
]
