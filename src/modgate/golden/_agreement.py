"""Inter-annotator agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha (pure).

Thin wrappers over the maintained implementations (scikit-learn `cohen_kappa_score`,
statsmodels `fleiss_kappa`, the `krippendorff` package); this module only shapes the data,
picks the items each statistic may use, and reports how many items stand behind each figure.
No I/O, no clock.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from modgate.errors import ModgateWarning
from modgate.golden._schema import Annotation

Statistic = Literal["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]
Scope = Literal["overall", "policy", "tag", "community"]


class UndefinedAgreementWarning(ModgateWarning):
    """An agreement statistic is undefined for the data (e.g. every rating is the same label)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RatedItem(_Frozen):
    """One item with every rating it received and the facets agreement is broken down by."""

    item_id: str
    """The item."""
    ratings: tuple[Annotation, ...]
    """Per-annotator labels and anonymous vote counts."""
    policy: str = ""
    """Policy of the labels."""
    tags: tuple[str, ...] = ()
    """Tags of the item."""
    community: str | None = None
    """Community of the item."""
    gold: str | None = None
    """Adjudicated gold label, used to flag annotators."""


class AgreementResult(_Frozen):
    """One agreement figure with the number of items behind it."""

    statistic: Statistic
    """Which statistic."""
    scope: Scope
    """overall, or broken down by policy, tag or community."""
    group: str
    """Value of the scope's facet (`*` for overall)."""
    pair: str | None
    """`annotator_a|annotator_b` for Cohen's kappa, else None."""
    value: float | None
    """The statistic; None when undefined (see `note`)."""
    items: int
    """Items the figure is computed on."""
    note: str | None = None
    """Why the value is undefined, or which items were used."""


class AnnotatorResult(_Frozen):
    """How one named annotator compares with the gold labels."""

    annotator: str
    """Annotator id."""
    items: int
    """Items this annotator labeled that have a gold label."""
    accuracy: float
    """Share of those items where the annotator gave the gold label."""
    kappa_vs_gold: float | None
    """Cohen's kappa between the annotator and the gold labels (None if undefined)."""
    flagged: bool
    """True when the annotator is far from the gold labels (see `AgreementReport.rule`)."""


class AgreementReport(_Frozen):
    """Agreement figures of a set of rated items, and annotators far from gold."""

    results: tuple[AgreementResult, ...]
    """Every figure, overall first."""
    annotators: tuple[AnnotatorResult, ...]
    """Named annotators compared with gold labels."""
    rule: str
    """The rule used to flag annotators."""


def _undefined(message: str) -> None:
    warnings.warn(message, UndefinedAgreementWarning, stacklevel=3)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters over the same items (scikit-learn).

    Args:
        first: Labels of the first rater.
        second: Labels of the second rater, same order.

    Returns:
        Kappa, or None (with `UndefinedAgreementWarning`) when it is undefined: no items, or
        both raters use a single identical label throughout.
    """
    from sklearn.metrics import cohen_kappa_score

    if len(first) != len(second):
        raise ValueError("both raters must label the same items")
    if not first:
        _undefined("Cohen's kappa of zero items is undefined")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns and returns NaN; we report None below
        value = _finite(cohen_kappa_score(list(first), list(second)))
    if value is None:
        _undefined("Cohen's kappa is undefined when both raters give one identical label")
    return value


def fleiss_kappa(counts: np.ndarray) -> float | None:
    """Fleiss' kappa from an items × categories table of rating counts (statsmodels).

    Every row must have the same total (the same number of ratings per item), as Fleiss'
    kappa assumes.

    Returns:
        Kappa, or None (with `UndefinedAgreementWarning`) when undefined (no items, fewer
        than two ratings per item, or a single category used throughout).

    Raises:
        ValueError: Rows have different totals.
    """
    from statsmodels.stats.inter_rater import fleiss_kappa as _sm_fleiss_kappa

    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0:
        _undefined("Fleiss' kappa of zero items is undefined")
        return None
    totals = table.sum(axis=1)
    if not np.all(totals == totals[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings on every item")
    if totals[0] < 2:
        _undefined("Fleiss' kappa needs at least two ratings per item")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = _finite(float(_sm_fleiss_kappa(table, method="fleiss")))
    if value is None:
        _undefined("Fleiss' kappa is undefined when a single category is used throughout")
    return value


def krippendorff_alpha(counts: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from an items × categories table of value counts.

    Items with fewer than two ratings are not pairable and do not count. Alpha for nominal
    data depends only on these counts, so per-annotator labels (see `label_counts`) and
    anonymous vote counts feed the same table.

    Returns:
        Alpha, or None (with `UndefinedAgreementWarning`) when undefined (no pairable item,
        or a single category used throughout).
    """
    import krippendorff

    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0:
        _undefined("Krippendorff's alpha of zero items is undefined")
        return None
    table = table[table.sum(axis=1) >= 2]
    if table.shape[0] == 0 or np.count_nonzero(table.sum(axis=0)) < 2:
        _undefined("Krippendorff's alpha needs pairable items and more than one category")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(value_counts=table, level_of_measurement="nominal")
    result = _finite(float(value))
    if result is None:
        _undefined("Krippendorff's alpha is undefined for these counts")
    return result


def label_counts(items: Sequence[RatedItem], categories: Sequence[str]) -> np.ndarray:
    """Items × categories table of rating counts (a named annotator counts once per label)."""
    index = {label: k for k, label in enumerate(categories)}
    table = np.zeros((len(items), len(categories)), dtype=float)
    for row, item in enumerate(items):
        for rating in item.ratings:
            table[row, index[rating.label]] += rating.votes
    return table


def _scoped(items: Sequence[RatedItem]) -> Iterable[tuple[Scope, str, list[RatedItem]]]:
    yield "overall", "*", list(items)
    for scope in ("policy", "tag", "community"):
        groups: dict[str, list[RatedItem]] = defaultdict(list)
        for item in items:
            if scope == "policy":
                keys: tuple[str, ...] = (item.policy,)
            elif scope == "tag":
                keys = item.tags
            else:
                keys = (item.community,) if item.community else ()
            for key in keys:
                groups[key].append(item)
        for key in sorted(groups):
            yield scope, key, groups[key]


def _group_results(
    scope: Scope, group: str, items: list[RatedItem], categories: Sequence[str]
) -> list[AgreementResult]:
    results: list[AgreementResult] = []
    pairable = [item for item in items if sum(r.votes for r in item.ratings) >= 2]
    table = label_counts(pairable, categories)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedAgreementWarning)
        alpha = krippendorff_alpha(table)
        totals = table.sum(axis=1)
        fleiss: float | None = None
        note: str | None = None
        fleiss_items = 0
        if len(totals):
            values, freq = np.unique(totals, return_counts=True)
            modal = values[np.argmax(freq)]
            keep = totals == modal
            fleiss_items = int(keep.sum())
            fleiss = fleiss_kappa(table[keep])
            if fleiss_items < len(totals):
                note = f"only items with {int(modal)} ratings, the most common count"
    results.append(
        AgreementResult(
            statistic="fleiss_kappa",
            scope=scope,
            group=group,
            pair=None,
            value=fleiss,
            items=fleiss_items,
            note=note if fleiss is not None else (note or "undefined for these ratings"),
        )
    )
    results.append(
        AgreementResult(
            statistic="krippendorff_alpha",
            scope=scope,
            group=group,
            pair=None,
            value=alpha,
            items=len(pairable),
            note=None if alpha is not None else "undefined for these ratings",
        )
    )
    by_annotator: dict[str, dict[str, str]] = defaultdict(dict)
    for item in items:
        for rating in item.ratings:
            if rating.annotator is not None:
                by_annotator[rating.annotator][item.item_id] = rating.label
    for first, second in combinations(sorted(by_annotator), 2):
        common = sorted(set(by_annotator[first]) & set(by_annotator[second]))
        if len(common) < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedAgreementWarning)
            kappa = cohen_kappa(
                [by_annotator[first][i] for i in common],
                [by_annotator[second][i] for i in common],
            )
        results.append(
            AgreementResult(
                statistic="cohen_kappa",
                scope=scope,
                group=group,
                pair=f"{first}|{second}",
                value=kappa,
                items=len(common),
                note=None if kappa is not None else "undefined: one identical label throughout",
            )
        )
    return results


def _annotator_results(
    items: Sequence[RatedItem], *, margin: float, min_items: int
) -> tuple[list[AnnotatorResult], str]:
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in items:
        if item.gold is None:
            continue
        for rating in item.ratings:
            if rating.annotator is not None:
                pairs[rating.annotator].append((rating.label, item.gold))
    scored: dict[str, tuple[int, float, float | None]] = {}
    for annotator, labels in pairs.items():
        given = [a for a, _ in labels]
        gold = [g for _, g in labels]
        accuracy = sum(a == g for a, g in labels) / len(labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedAgreementWarning)
            kappa = cohen_kappa(given, gold)
        scored[annotator] = (len(labels), accuracy, kappa)
    eligible = [k for n, _, k in scored.values() if n >= min_items and k is not None]
    median = statistics.median(eligible) if eligible else None
    rule = (
        f"kappa vs gold more than {margin:g} below the median annotator "
        f"({'n/a' if median is None else f'{median:.3f}'}), on at least {min_items} items"
    )
    results = [
        AnnotatorResult(
            annotator=annotator,
            items=n,
            accuracy=accuracy,
            kappa_vs_gold=kappa,
            flagged=(
                median is not None and n >= min_items and kappa is not None
                and kappa < median - margin
            ),
        )
        for annotator, (n, accuracy, kappa) in sorted(scored.items())
    ]  # fmt: skip
    return results, rule


def measure_agreement(
    items: Sequence[RatedItem],
    *,
    flag_margin: float = 0.2,
    min_annotator_items: int = 10,
    scopes: Sequence[Scope] = ("overall", "policy", "tag", "community"),
) -> AgreementReport:
    """Compute every agreement figure overall and by policy, tag and community.

    Fleiss' kappa uses the items with the most common number of ratings (it assumes a
    constant number); Krippendorff's alpha uses every item with two or more ratings; Cohen's
    kappa is computed for each pair of named annotators with at least two items in common.

    Args:
        items: Rated items.
        flag_margin: An annotator whose kappa against gold is this far below the median
            annotator's is flagged.
        min_annotator_items: Fewest gold-labeled items an annotator needs to be judged.
        scopes: Which breakdowns to compute.

    Returns:
        The report; undefined figures have value None and a note.
    """
    categories = sorted({r.label for item in items for r in item.ratings})
    results: list[AgreementResult] = []
    for scope, group, members in _scoped(items):
        if scope in scopes:
            results.extend(_group_results(scope, group, members, categories))
    annotators, rule = _annotator_results(items, margin=flag_margin, min_items=min_annotator_items)
    return AgreementReport(results=tuple(results), annotators=tuple(annotators), rule=rule)


def rated_items_from_votes(
    votes: Mapping[str, Mapping[str, int]], *, policy: str = ""
) -> list[RatedItem]:
    """Rated items from anonymous vote counts per item (`{item: {label: votes}}`)."""
    return [
        RatedItem(
            item_id=item_id,
            ratings=tuple(
                Annotation(item_id=item_id, label=label, votes=count)
                for label, count in sorted(counts.items())
                if count > 0
            ),
            policy=policy,
        )
        for item_id, counts in votes.items()
    ]
