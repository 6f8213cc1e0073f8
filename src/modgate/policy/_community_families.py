"""Rule families: near-duplicate rules across communities, clustered with MinHash LSH.

Thousands of communities write their own "No self-promotion". A family groups such variants
so one enforcer can serve all of them, each community keeping its own threshold.

A rule is read as the set of content-word stems of its short name (the name is where the
variants agree; descriptions differ in examples and tone); a name with no content word
("Rule 1") is read from its description instead. MinHash signatures (datasketch) are split
into LSH bands; two rules sharing a band bucket are candidates, and their families merge when
the exact Jaccard similarity of the families' first members reaches `threshold` (union-find
over representatives, so a filler word cannot chain unrelated rules into one family). The
work grows linearly with the number of rules, also for families of thousands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import NotFoundError, ValidationError
from modgate.policy import _repo
from modgate.policy._community_lint import content_stems
from modgate.policy._community_schema import CommunityRule, collapse_spaces, rule_key
from modgate.store import Store


class FamilyOptions(BaseModel):
    """How rules are clustered into families."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    """Jaccard similarity of two rules' word sets that puts them in one family."""
    num_perm: int = Field(default=64, ge=8, le=512)
    """MinHash permutations (more: sharper estimates, slower)."""
    min_size: int = Field(default=2, ge=1)
    """Smallest family stored (1 keeps singletons too)."""
    seed: int = 1
    """MinHash seed (fixed: the same rules give the same families)."""


def rule_tokens(rule: CommunityRule) -> frozenset[str]:
    """What a rule is compared by: content stems of its name, else of its description."""
    name = frozenset(t for t in content_stems(rule.name) if not t.isdigit())
    return name or content_stems(rule.description)


@dataclass(frozen=True)
class Clustering:
    """Family label and similarity to the family's first member, per rule."""

    labels: npt.NDArray[np.int64]
    """Family of each rule (the index of its first member); -1 for a rule with no words."""
    similarity: npt.NDArray[np.float64]
    """Jaccard similarity of each rule to its family's first member."""


def _find(parent: list[int], i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


_CANDIDATE_FACTOR = 0.7


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)


def cluster_token_sets(
    token_sets: Sequence[frozenset[str]],
    *,
    threshold: float = 0.5,
    num_perm: int = 64,
    seed: int = 1,
) -> Clustering:
    """Cluster sets of tokens by MinHash LSH (see the module docstring).

    Args:
        token_sets: One token set per rule; an empty set is left out (label -1).
        threshold: Jaccard similarity that joins two sets.
        num_perm: MinHash permutations.
        seed: MinHash seed.

    Returns:
        Labels and similarities aligned with `token_sets`.
    """
    from datasketch import MinHash, MinHashLSH

    n = len(token_sets)
    parent = list(range(n))
    labels = np.full(n, -1, dtype=np.int64)
    similarity = np.zeros(n, dtype=np.float64)
    present = [i for i, tokens in enumerate(token_sets) if tokens]
    if not present:
        return Clustering(labels=labels, similarity=similarity)
    encoded = [[t.encode("utf-8") for t in sorted(token_sets[i])] for i in present]
    hashes = np.vstack([m.hashvalues for m in MinHash.bulk(encoded, num_perm=num_perm, seed=seed)])
    # LSH only proposes candidates, checked exactly; banding for a lower similarity than the
    # threshold keeps pairs right at the threshold from being missed.
    candidate = max(0.05, threshold * _CANDIDATE_FACTOR)
    lsh = MinHashLSH(threshold=candidate, num_perm=num_perm)  # only for its (b, r) choice
    bands, rows = lsh.b, lsh.r
    for band in range(bands):
        block = np.ascontiguousarray(hashes[:, band * rows : (band + 1) * rows])
        first: dict[bytes, int] = {}
        for j in range(len(present)):
            key = block[j].tobytes()
            head = first.setdefault(key, j)
            if head == j:
                continue
            a, b = _find(parent, present[j]), _find(parent, present[head])
            # families are compared by their first members, not by any two members: joining on
            # any pair would chain "No spam" → "No spam strictly" → "Strictly" → "No NSFW"
            if a != b and _jaccard(token_sets[a], token_sets[b]) >= threshold:
                parent[max(a, b)] = min(a, b)
    for i in present:
        root = _find(parent, i)
        labels[i] = root
        similarity[i] = _jaccard(token_sets[i], token_sets[root])
    return Clustering(labels=labels, similarity=similarity)


class RuleFamily(BaseModel):
    """A family of near-duplicate rules, as listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    """Family id (stable for one computation; recomputing renumbers)."""
    name: str
    """Most common short name in the family."""
    example: str
    """One member's full text."""
    size: int
    """Rules in the family."""
    communities: int
    """Communities with a rule in it."""
    threshold: float | None
    """Default threshold of the family's enforcer (None: the enforcer's own)."""
    variants: list[str] = Field(default_factory=list)
    """A few other short names in the family (most common first)."""


class FamiliesResult(BaseModel):
    """What `compute_rule_families` stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: int
    """Current rules read."""
    families: int
    """Families stored (size ≥ `min_size`)."""
    rules_in_families: int
    """Rules in a stored family."""
    options: FamilyOptions
    """How they were clustered."""
    largest: list[RuleFamily]
    """The largest families."""


def compute_rule_families(
    store: Store, *, options: FamilyOptions | None = None, top: int = 10
) -> FamiliesResult:
    """Cluster the current community rules into families and store them (replacing old ones).

    Raises:
        NotFoundError: No community rules are imported.
    """
    options = options or FamilyOptions()
    keys: list[tuple[str, str]] = []
    names: list[str] = []
    texts: list[str] = []
    tokens: list[frozenset[str]] = []
    for stored in _repo.iter_community_rules(store):
        keys.append((stored.rule.community, stored.key))
        names.append(collapse_spaces(stored.rule.name))
        texts.append(stored.rule.text)
        tokens.append(rule_tokens(stored.rule))
    if not keys:
        raise NotFoundError(
            "no community rules imported", hint="run `modgate policy import-community FILE`"
        )
    clustering = cluster_token_sets(
        tokens, threshold=options.threshold, num_perm=options.num_perm, seed=options.seed
    )
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(clustering.labels.tolist()):
        if label >= 0:
            groups.setdefault(label, []).append(i)
    kept = [m for m in groups.values() if len(m) >= options.min_size]
    kept.sort(key=lambda m: (-len(m), m[0]))
    now = datetime.now(UTC)
    families: list[dict[str, object]] = []
    members: list[dict[str, object]] = []
    listed: list[RuleFamily] = []
    for number, member_ids in enumerate(kept, start=1):
        counted = Counter(names[i].casefold() for i in member_ids).most_common()
        top_name = counted[0][0]
        first = next(i for i in member_ids if names[i].casefold() == top_name)
        row = {
            "id": number,
            "name": names[first],
            "example": texts[first],
            "size": len(member_ids),
            "communities": len({keys[i][0] for i in member_ids}),
            "threshold": None,
            "computed_at": now,
            "params": options.model_dump(mode="json"),
        }
        families.append(row)
        members += [
            {"family_id": number, "community": keys[i][0], "rule_key": keys[i][1],
             "similarity": float(clustering.similarity[i]), "threshold": None}
            for i in member_ids
        ]  # fmt: skip
        if len(listed) < top:
            listed.append(
                RuleFamily(
                    id=number, name=names[first], example=texts[first], size=len(member_ids),
                    communities=int(row["communities"]),  # type: ignore[call-overload]
                    threshold=None, variants=[name for name, _ in counted[1:6]],
                )
            )  # fmt: skip
    with store.begin() as conn:
        _repo.replace_families(conn, families, members)
    return FamiliesResult(
        rules=len(keys),
        families=len(kept),
        rules_in_families=sum(len(m) for m in kept),
        options=options,
        largest=listed,
    )


def list_rule_families(store: Store, *, limit: int = 50, min_size: int = 1) -> list[RuleFamily]:
    """Stored families, largest first, with a few variant names each."""
    found: list[RuleFamily] = []
    for row in _repo.load_families(store, limit=limit, min_size=min_size):
        members = _repo.load_family_members(store, row.id)
        variants = Counter(collapse_spaces(m.name or m.rule_key) for m in members).most_common(6)
        found.append(
            RuleFamily(
                id=row.id, name=row.name, example=row.example, size=row.size,
                communities=row.communities, threshold=row.threshold,
                variants=[k for k, _ in variants if k != row.name][:5],
            )
        )  # fmt: skip
    return found


class FamilyThresholds(BaseModel):
    """The thresholds one enforcer serving a family uses: a default and per-community ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family_id: int
    """The family."""
    default: float | None
    """Family-wide threshold (None: the enforcer's own)."""
    communities: dict[str, float]
    """Community → its own threshold, where one is set."""
    members: list[tuple[str, str]]
    """(community, rule key) of every member: the rules the enforcer serves."""


def family_thresholds(store: Store, family_id: int) -> FamilyThresholds:
    """Thresholds and members of a family, for the enforcer spec serving it.

    Raises:
        NotFoundError: No such family.
    """
    rows = [r for r in _repo.load_families(store) if r.id == family_id]
    if not rows:
        raise NotFoundError(f"no rule family {family_id}", hint="`modgate policy families`")
    members = _repo.load_family_members(store, family_id)
    return FamilyThresholds(
        family_id=family_id,
        default=rows[0].threshold,
        communities={m.community: m.threshold for m in members if m.threshold is not None},
        members=[(m.community, m.rule_key) for m in members],
    )


def set_family_threshold(store: Store, community: str, rule: str, threshold: float | None) -> None:
    """Give one community's member of a family its own threshold (None: back to the family's).

    Raises:
        ValidationError: The threshold is outside [0, 1].
        NotFoundError: The rule is in no family.
    """
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValidationError(f"threshold {threshold} is outside [0, 1]")
    with store.begin() as conn:
        if _repo.set_member_threshold(conn, community, rule_key(rule), threshold) == 0:
            raise NotFoundError(f"rule {rule!r} of {community!r} is in no family")
