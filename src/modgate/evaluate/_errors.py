"""Failure modes at a glance: false positives and false negatives grouped into clusters. Pure.

An analyst asks *why* a model fails. Errors of one kind (false positives, false negatives) are
grouped, in this order:

1. **near-duplicates**: errors whose texts are (near-)copies of each other (word-shingle
   Jaccard ≥ 0.8, `modgate.golden.near_duplicate_clusters`) — one mistake repeated;
2. **shared distinctive terms**: greedily, the word that is most over-represented among the
   remaining errors compared with every item of the run (lift = share among errors / share
   among all items, at least 2 errors and lift ≥ 1.5), taking the errors that contain it;
   repeated until no such word is left or `max_clusters` is reached;
3. the rest, as one `other` cluster.

Each cluster gives its size, its share of that kind's errors, the slices its errors fall in
most (share of the cluster in each slice), and example items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from modgate.evaluate._predictions import PredictionTable
from modgate.golden import near_duplicate_clusters

ErrorKind = Literal["false_positive", "false_negative"]
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_MIN_LIFT = 1.5


class ErrorExample(BaseModel):
    """One error of a cluster."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The item."""
    score: float | None
    """Its score."""
    text: str | None
    """Its text (first 200 characters), when known."""


class ErrorCluster(BaseModel):
    """A group of errors of one kind that share a likely cause."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ErrorKind
    """False positives or false negatives."""
    basis: Literal["near_duplicates", "term", "other"]
    """What groups them."""
    label: str
    """In words: `term "news"`, `near-duplicates of i0012`, `other`."""
    size: int
    """Errors in the cluster."""
    share: float
    """Share of this kind's errors."""
    terms: tuple[str, ...]
    """Distinctive words of the cluster (most over-represented first)."""
    slices: tuple[tuple[str, float], ...]
    """Slices the cluster's errors fall in most, with the share of the cluster in each."""
    examples: tuple[ErrorExample, ...]
    """A few of its errors."""


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _lifts(
    members: list[int], words: list[set[str]], base: Counter[str], n_all: int
) -> list[tuple[float, int, str]]:
    counts: Counter[str] = Counter(w for i in members for w in words[i])
    found = []
    for word, count in counts.items():
        if count < 2:
            continue
        lift = (count / len(members)) / (base[word] / n_all)
        if lift >= _MIN_LIFT:
            found.append((lift * count, count, word))
    found.sort(key=lambda t: (-t[0], -t[1], t[2]))
    return found


def _example(table: PredictionTable, texts: Mapping[str, str], i: int) -> ErrorExample:
    item_id = table.item_ids[i]
    text = texts.get(item_id)
    score = table.scores[i]
    return ErrorExample(
        item_id=item_id,
        score=None if np.isnan(score) else float(score),
        text=text[:200] if text else None,
    )


def error_clusters(
    table: PredictionTable,
    texts: Mapping[str, str],
    *,
    max_clusters: int = 5,
    examples: int = 3,
) -> list[ErrorCluster]:
    """False positives and false negatives grouped into clusters (see the module docstring).

    Args:
        table: The run's predictions.
        texts: Item texts by id (items without one are clustered by slices only, as `other`).
        max_clusters: Most clusters per kind besides `other`.
        examples: Examples per cluster.

    Returns:
        Clusters of false positives, then of false negatives, largest first within a basis.
    """
    n_all = len(table)
    words = [_words(texts.get(i, "")) for i in table.item_ids]
    base: Counter[str] = Counter(w for ws in words for w in ws)
    out: list[ErrorCluster] = []
    kinds: tuple[tuple[ErrorKind, np.ndarray], ...] = (
        ("false_positive", np.flatnonzero(table.predicted & ~table.gold)),
        ("false_negative", np.flatnonzero(~table.predicted & table.gold)),
    )
    for kind, positions in kinds:
        errors = positions.tolist()
        if not errors:
            continue
        total = len(errors)
        remaining = list(errors)
        groups: list[tuple[Literal["near_duplicates", "term", "other"], str, list[int]]] = []
        dupes = near_duplicate_clusters(
            [
                (table.item_ids[i], texts[table.item_ids[i]])
                for i in remaining
                if table.item_ids[i] in texts
            ]  # fmt: skip
        )
        by_cluster: dict[str, list[int]] = {}
        for i in remaining:
            cluster = dupes.get(table.item_ids[i])
            if cluster is not None:
                by_cluster.setdefault(cluster, []).append(i)
        for members in sorted(by_cluster.values(), key=lambda m: (-len(m), m[0])):
            if len(members) >= 2 and len(groups) < max_clusters:
                first = table.item_ids[members[0]]
                groups.append(("near_duplicates", f"near-duplicates of {first}", members))
        taken = {i for _, _, members in groups for i in members}
        remaining = [i for i in remaining if i not in taken]
        while remaining and len(groups) < max_clusters:
            ranked = _lifts(remaining, words, base, n_all)
            if not ranked:
                break
            word = ranked[0][2]
            members = [i for i in remaining if word in words[i]]
            groups.append(("term", f'term "{word}"', members))
            remaining = [i for i in remaining if word not in words[i]]
        if remaining:
            groups.append(("other", "other", remaining))
        for basis, label, members in groups:
            terms = tuple(w for _, _, w in _lifts(members, words, base, n_all)[:5])
            slice_counts: Counter[str] = Counter()
            for dimension, values in table.slices.items():
                for i in members:
                    for value in values[i]:
                        slice_counts[f"{dimension}={value}"] += 1
            top = tuple(
                (name, count / len(members))
                for name, count in sorted(slice_counts.items(), key=lambda t: (-t[1], t[0]))[:3]
            )
            out.append(
                ErrorCluster(
                    kind=kind,
                    basis=basis,
                    label=label,
                    size=len(members),
                    share=len(members) / total,
                    terms=terms,
                    slices=top,
                    examples=tuple(_example(table, texts, i) for i in members[:examples]),
                )  # fmt: skip
            )
    return out


__all__ = ["ErrorCluster", "ErrorExample", "ErrorKind", "error_clusters"]
