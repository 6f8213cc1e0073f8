"""Policy-relative similarity features of items (pure: arrays in, arrays out).

An item is described only by how it relates to the policy's own words — its violating and
allowed examples, its criteria and its allowed contexts — never by its raw embedding, so a
scorer fitted on these features for some policies applies to a policy it has never seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from modgate.policy import Policy

FEATURES: tuple[str, ...] = (
    "max_violating",
    "topk_violating",
    "max_allowed",
    "topk_allowed",
    "max_criteria",
    "mean_criteria",
    "max_context",
    "margin_max",
    "margin_topk",
    "knn_vote",
    "centroid_violating",
    "centroid_allowed",
    "margin_centroid",
    "margin_criteria_context",
)
"""Feature names, in column order (the scorer file records them)."""


@dataclass(frozen=True)
class PolicyTexts:
    """The texts of a policy the few-shot kind compares items with.

    Attributes:
        violating: Examples labelled `violates`.
        allowed: Examples labelled `safe`.
        criteria: The definition, then each criterion as "title: description".
        contexts: Each allowed context (counter-speech, news…) as "title: description".
    """

    violating: tuple[str, ...]
    allowed: tuple[str, ...]
    criteria: tuple[str, ...]
    contexts: tuple[str, ...] = ()

    @classmethod
    def of_policy(cls, policy: Policy) -> PolicyTexts:
        """The texts of a loaded policy."""
        return cls(
            violating=tuple(e.text for e in policy.examples if e.label == "violates"),
            allowed=tuple(e.text for e in policy.examples if e.label == "safe"),
            criteria=(policy.definition, *(f"{c.title}: {c.description}" for c in policy.violates)),
            contexts=tuple(f"{a.title}: {a.description}" for a in policy.allowed),
        )

    def all_texts(self) -> list[str]:
        """Every text, in the order `Prototypes` splits them back."""
        return [*self.violating, *self.allowed, *self.criteria, *self.contexts]


@dataclass(frozen=True)
class Prototypes:
    """Embedded policy texts: one normalized row per text, split by role."""

    violating: Any
    allowed: Any
    criteria: Any
    contexts: Any

    @classmethod
    def split(cls, texts: PolicyTexts, rows: Any) -> Prototypes:
        """Cut the rows of `texts.all_texts()` back into their roles."""
        a = len(texts.violating)
        b = a + len(texts.allowed)
        c = b + len(texts.criteria)
        d = c + len(texts.contexts)
        return cls(rows[:a], rows[a:b], rows[b:c], rows[c:d])


def cosine(items: Any, refs: Any) -> NDArray[np.float64]:
    """Dense (n_items, n_refs) dot products of normalized rows (dense or sparse)."""
    n, m = items.shape[0], refs.shape[0]
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=np.float64)
    product = items @ refs.T
    dense = product.toarray() if hasattr(product, "toarray") else product
    return np.asarray(dense, dtype=np.float64)


def _top_mean(sims: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    if sims.shape[1] == 0:
        return np.zeros(sims.shape[0])
    k = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    return np.asarray(top.mean(axis=1))


def _centroid_sim(items: Any, refs: Any) -> NDArray[np.float64]:
    """Cosine of each item with the normalized mean of `refs` (0 when there are none)."""
    if refs.shape[0] == 0 or items.shape[0] == 0:
        return np.zeros(items.shape[0])
    mean = np.asarray(refs.mean(axis=0)).reshape(1, -1)
    norm = float(np.linalg.norm(mean))
    if norm == 0.0:
        return np.zeros(items.shape[0])
    return cosine(items, mean / norm)[:, 0]


def _max(sims: NDArray[np.float64]) -> NDArray[np.float64]:
    return sims.max(axis=1) if sims.shape[1] else np.zeros(sims.shape[0])


def similarity_features(items: Any, prototypes: Prototypes, *, k: int = 3) -> NDArray[np.float64]:
    """The (n_items, len(FEATURES)) feature matrix of embedded items against a policy.

    A side with no texts (a policy without safe examples) contributes zeros; the scorer keeps
    one model per policy shape (`policy_shape`), so a missing side is never read as a
    dissimilar one.

    Args:
        items: Normalized item embeddings (rows).
        prototypes: The policy's embedded texts.
        k: Nearest examples averaged per side, and neighbours of the k-NN vote.
    """
    sv = cosine(items, prototypes.violating)
    sa = cosine(items, prototypes.allowed)
    sc = cosine(items, prototypes.criteria)
    sd = cosine(items, prototypes.contexts)
    n = sv.shape[0]
    max_v, max_a = _max(sv), _max(sa)
    top_v, top_a = _top_mean(sv, k), _top_mean(sa, k)
    both = np.hstack([sv, sa])
    if both.shape[1]:
        kk = min(k, both.shape[1])
        nearest = np.argpartition(-both, kk - 1, axis=1)[:, :kk]
        vote = (nearest < sv.shape[1]).mean(axis=1)
    else:
        vote = np.zeros(n)
    cent_v, cent_a = (
        _centroid_sim(items, prototypes.violating),
        _centroid_sim(items, prototypes.allowed),
    )
    max_c, max_d = _max(sc), _max(sd)
    columns = [
        max_v,
        top_v,
        max_a,
        top_a,
        max_c,
        sc.mean(axis=1) if sc.shape[1] else np.zeros(n),
        max_d,
        max_v - max_a,
        top_v - top_a,
        vote,
        cent_v,
        cent_a,
        cent_v - cent_a,
        max_c - max_d,
    ]
    return np.column_stack(columns).astype(np.float64)


PolicyShape = Literal["full", "no_safe", "criteria_only"]
"""What a policy gives to compare with: both kinds of examples, violating ones only, or only
its definition and criteria."""

SHAPES: tuple[PolicyShape, ...] = ("full", "no_safe", "criteria_only")


def policy_shape(prototypes: Prototypes) -> PolicyShape:
    """The shape of a policy's embedded texts (safe examples alone count as `full`)."""
    if prototypes.allowed.shape[0]:
        return "full"
    return "no_safe" if prototypes.violating.shape[0] else "criteria_only"


def nearest_margin(items: Any, prototypes: Prototypes) -> NDArray[np.float64]:
    """Max similarity to a violating example minus max similarity to an allowed one.

    Without violating examples: the max similarity to the definition and criteria.
    """
    if prototypes.violating.shape[0] == 0:
        return _max(cosine(items, prototypes.criteria))
    return _max(cosine(items, prototypes.violating)) - _max(cosine(items, prototypes.allowed))


def leave_one_out_rows(
    prototypes: Prototypes, *, k: int = 3
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Features of each example against the policy's other texts, with its label (1 violates).

    Episodes a scorer can be fitted on from policies alone (no other labelled data).
    """
    rows: list[NDArray[np.float64]] = []
    labels: list[int] = []
    for side, label in ((prototypes.violating, 1), (prototypes.allowed, 0)):
        for i in range(side.shape[0]):
            keep = [j for j in range(side.shape[0]) if j != i]
            others = Prototypes(
                prototypes.violating[keep] if label == 1 else prototypes.violating,
                prototypes.allowed[keep] if label == 0 else prototypes.allowed,
                prototypes.criteria,
                prototypes.contexts,
            )
            rows.append(similarity_features(side[i : i + 1], others, k=k))
            labels.append(label)
    if not rows:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=np.int64)
    return np.vstack(rows), np.asarray(labels, dtype=np.int64)


def policy_texts(policies: Sequence[Policy]) -> list[PolicyTexts]:
    """`PolicyTexts.of_policy` of each policy."""
    return [PolicyTexts.of_policy(p) for p in policies]


__all__ = [
    "FEATURES",
    "SHAPES",
    "PolicyShape",
    "policy_shape",
    "PolicyTexts",
    "Prototypes",
    "cosine",
    "leave_one_out_rows",
    "nearest_margin",
    "policy_texts",
    "similarity_features",
]
