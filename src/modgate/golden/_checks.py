"""Golden-set checks, each returning a reviewable list.

The checks: near-duplicates, conflicting labels on duplicates, leakage into a training set,
class balance by source.

Near-duplicates use MinHash signatures over word 3-gram shingles with LSH candidate search
(`datasketch`); texts identical after normalization (lower case, words only) are grouped
exactly first, so LSH only sees one text per exact group.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from modgate.golden._components import component_names

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)
NUM_PERM = 64
"""MinHash permutations: 64 keeps the Jaccard estimate within ~±0.06 at 0.8."""
# Shingles are hashed with CRC-32 (deterministic across processes, unlike `hash()`, and ~10x
# cheaper than datasketch's default SHA-1): MinHash only needs a well-mixed 32-bit hash.


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DuplicatePair(_Frozen):
    """Two items whose texts are (near-)identical."""

    first: str
    """Item id (the cluster's representative)."""
    second: str
    """Item id of the duplicate."""
    similarity: float
    """Estimated Jaccard similarity of word 3-gram shingles (1.0 when exact)."""
    exact: bool
    """Identical after normalization (lower case, words only)."""


class LabelConflict(_Frozen):
    """A cluster of duplicates whose gold labels disagree."""

    cluster: str
    """Cluster id (its smallest item id)."""
    items: tuple[str, ...]
    """Items of the cluster."""
    labels: dict[str, int]
    """Items per gold label in the cluster."""


class Leak(_Frozen):
    """A golden item whose text also appears (near-)identically in the training set."""

    item_id: str
    """Golden item."""
    training_id: str
    """Matching training row."""
    similarity: float
    """Estimated Jaccard similarity (1.0 when exact)."""
    exact: bool
    """Identical after normalization."""


class SourceBalance(_Frozen):
    """Gold labels of the items of one source."""

    source: str
    """Source (dataset or file); `(none)` when unknown."""
    items: int
    """Items from this source."""
    labels: dict[str, int]
    """Items per gold label."""
    majority_share: float
    """Share of the most common label."""
    single_class: bool
    """True when every item of the source has one label: a model can learn the source."""


class CheckReport(_Frozen):
    """Every check's findings."""

    near_duplicates: tuple[DuplicatePair, ...]
    """Pairs of (near-)duplicate items."""
    conflicts: tuple[LabelConflict, ...]
    """Duplicate clusters with disagreeing gold labels."""
    leaks: tuple[Leak, ...]
    """Golden items also present in the training set (empty without one)."""
    balance: tuple[SourceBalance, ...]
    """Label balance per source."""
    items: int
    """Items checked."""
    training_rows: int | None
    """Rows of the training set compared against (None: no leakage check)."""


def normalize_for_match(text: str) -> str:
    """Lower-cased words joined by single spaces: the key for exact duplicates."""
    return " ".join(_WORD.findall(text.lower()))


def _shingles(normalized: str) -> list[bytes]:
    words = normalized.split(" ")
    if len(words) < 3:
        return [normalized.encode("utf-8")]
    return list({" ".join(words[i : i + 3]).encode("utf-8") for i in range(len(words) - 2)})


def _exact_groups(texts: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for item_id, text in texts:
        # a text without words (emoji, punctuation) is only an exact duplicate of itself
        groups[normalize_for_match(text) or text.strip()].append(item_id)
    for members in groups.values():
        members.sort()
    return groups


def _signatures(keys: Sequence[str]) -> list[MinHash]:
    from datasketch import MinHash

    shingled = [_shingles(k) for k in keys]
    return MinHash.bulk(shingled, num_perm=NUM_PERM, hashfunc=zlib.crc32)  # type: ignore[no-any-return]


def _near_links(
    groups: Mapping[str, list[str]], threshold: float
) -> Iterator[tuple[str, str, float]]:
    """(first, second, similarity) for representatives of exact groups that are near-duplicates."""
    from datasketch import MinHashLSH

    keys = [k for k in groups if k]
    if len(keys) < 2:
        return
    signatures = _signatures(keys)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for index, signature in enumerate(signatures):
            session.insert(index, signature, check_duplication=False)
    for index, signature in enumerate(signatures):
        for other in lsh.query(signature):
            if other <= index:
                continue
            similarity = float(signature.jaccard(signatures[other]))
            if similarity >= threshold:
                first, second = sorted((groups[keys[index]][0], groups[keys[other]][0]))
                yield first, second, similarity


def find_near_duplicates(
    texts: Iterable[tuple[str, str]], *, threshold: float = 0.8
) -> list[DuplicatePair]:
    """Find pairs of (near-)duplicate texts.

    Exact duplicates (after normalization) are reported as (first id, other id) pairs; near
    duplicates as pairs of the representatives of two exact groups whose estimated Jaccard
    similarity reaches `threshold`.

    Args:
        texts: (item id, text) pairs.
        threshold: Estimated Jaccard similarity from which texts are near-duplicates.

    Returns:
        Pairs, sorted by first then second id.
    """
    groups = _exact_groups(texts)
    pairs = [
        DuplicatePair(first=members[0], second=other, similarity=1.0, exact=True)
        for members in groups.values()
        for other in members[1:]
    ]
    pairs.extend(
        DuplicatePair(first=first, second=second, similarity=similarity, exact=False)
        for first, second, similarity in _near_links(groups, threshold)
    )
    pairs.sort(key=lambda p: (p.first, p.second))
    return pairs


def duplicate_clusters(pairs: Iterable[DuplicatePair]) -> dict[str, str]:
    """Cluster id (smallest member id) of every item that has a duplicate."""
    return component_names((), ((pair.first, pair.second) for pair in pairs))


def near_duplicate_clusters(
    texts: Iterable[tuple[str, str]], *, threshold: float = 0.8
) -> dict[str, str]:
    """Cluster id of every item with a (near-)duplicate, without building the pair list.

    Same clusters as `duplicate_clusters(find_near_duplicates(texts))`, cheaper: freezing
    only needs the clusters to keep duplicates in one split.
    """
    groups = _exact_groups(texts)
    exact = ((members[0], other) for members in groups.values() for other in members[1:])
    near = ((first, second) for first, second, _ in _near_links(groups, threshold))
    return component_names((), itertools.chain(exact, near))


def find_label_conflicts(
    clusters: Mapping[str, str], labels: Mapping[str, str | None]
) -> list[LabelConflict]:
    """Duplicate clusters whose members carry different gold labels (unresolved ignored)."""
    members: dict[str, list[str]] = defaultdict(list)
    for item_id, cluster in clusters.items():
        members[cluster].append(item_id)
    conflicts = []
    for cluster in sorted(members):
        ids = sorted(members[cluster])
        counts = Counter(label for i in ids if (label := labels.get(i)) is not None)
        if len(counts) > 1:
            conflicts.append(LabelConflict(cluster=cluster, items=tuple(ids), labels=dict(counts)))
    return conflicts


def find_leakage(
    golden: Iterable[tuple[str, str]],
    training: Iterable[tuple[str, str]],
    *,
    threshold: float = 0.8,
) -> list[Leak]:
    """Golden items whose text is (near-)identical to a row of the training set.

    Args:
        golden: (item id, text) of the golden set.
        training: (row id, text) of the training set.
        threshold: Estimated Jaccard similarity from which texts match.

    Returns:
        One leak per golden item (its best match), sorted by item id.
    """
    from datasketch import MinHashLSH

    train_groups = _exact_groups(training)
    golden_list = list(golden)
    leaks: dict[str, Leak] = {}
    for item_id, text in golden_list:
        match = train_groups.get(normalize_for_match(text))
        if match:
            leaks[item_id] = Leak(
                item_id=item_id, training_id=sorted(match)[0], similarity=1.0, exact=True
            )
    train_keys = [k for k in train_groups if k]
    rest = [(i, normalize_for_match(t)) for i, t in golden_list if i not in leaks]
    rest = [(i, k) for i, k in rest if k]
    if train_keys and rest:
        train_sigs = _signatures(train_keys)
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        with lsh.insertion_session() as session:
            for index, signature in enumerate(train_sigs):
                session.insert(index, signature, check_duplication=False)
        golden_sigs = _signatures([k for _, k in rest])
        for (item_id, _), signature in zip(rest, golden_sigs, strict=True):
            best: tuple[float, int] | None = None
            for candidate in lsh.query(signature):
                similarity = signature.jaccard(train_sigs[candidate])
                if similarity >= threshold and (best is None or similarity > best[0]):
                    best = (similarity, candidate)
            if best is not None:
                leaks[item_id] = Leak(
                    item_id=item_id,
                    training_id=sorted(train_groups[train_keys[best[1]]])[0],
                    similarity=best[0],
                    exact=False,
                )
    return [leaks[k] for k in sorted(leaks)]


def measure_source_balance(records: Iterable[tuple[str | None, str | None]]) -> list[SourceBalance]:
    """Gold-label counts per source from (source, gold label) pairs; unresolved are skipped.

    Returns:
        One entry per source, single-class sources first, then by size.
    """
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    for source, label in records:
        if label is not None:
            per_source[source or "(none)"][label] += 1
    result = []
    for source, counts in per_source.items():
        total = sum(counts.values())
        result.append(
            SourceBalance(
                source=source,
                items=total,
                labels=dict(sorted(counts.items())),
                majority_share=max(counts.values()) / total,
                single_class=len(counts) == 1,
            )
        )
    result.sort(key=lambda b: (not b.single_class, -b.items, b.source))
    return result
