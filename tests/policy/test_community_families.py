from __future__ import annotations

import csv
import random
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import adjusted_rand_score

from modgate.errors import NotFoundError, ValidationError
from modgate.policy import (
    CommunityRule,
    cluster_token_sets,
    compute_rule_families,
    family_thresholds,
    import_community_rules,
    list_rule_families,
    rule_tokens,
    set_family_threshold,
)
from modgate.store import Store

STEMS = [
    ["no", "self", "promotion"],
    ["no", "spam"],
    ["no", "personal", "attacks"],
    ["no", "spoilers", "in", "titles"],
    ["english", "only"],
    ["no", "reposts"],
    ["no", "memes", "on", "weekdays"],
    ["flair", "your", "post"],
]
EXTRA = ["please", "allowed", "strictly", "here", "or", "advertising", "content", "ever"]


def _variants(seed: int, per: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    names, truth = [], []
    for family, words in enumerate(STEMS):
        for _ in range(per):
            variant = list(words)
            if rng.random() < 0.5:
                variant.insert(rng.randrange(len(variant) + 1), rng.choice(EXTRA))
            names.append(" ".join(variant).capitalize())
            truth.append(family)
    return names, truth


def _exact_clusters(sets: list[frozenset[str]], threshold: float) -> np.ndarray:
    rows, cols = [], []
    for i, j in combinations(range(len(sets)), 2):
        union = len(sets[i] | sets[j])
        if union and len(sets[i] & sets[j]) / union >= threshold:
            rows.append(i)
            cols.append(j)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(sets)))
    return connected_components(graph, directed=False)[1]


def test_lsh_families_agree_with_exact_jaccard_clustering_on_planted_variants() -> None:
    names, truth = _variants(seed=7, per=40)
    sets = [rule_tokens(CommunityRule(community=f"c{i}", name=n)) for i, n in enumerate(names)]
    found = cluster_token_sets(sets, threshold=0.5, num_perm=128, seed=1)
    exact = _exact_clusters(sets, 0.5)
    assert adjusted_rand_score(exact, found.labels) >= 0.95
    assert adjusted_rand_score(truth, found.labels) >= 0.9
    assert np.all((found.similarity > 0) & (found.similarity <= 1))


def test_empty_token_sets_stay_out_and_the_result_is_deterministic() -> None:
    sets = [frozenset({"a", "b"}), frozenset(), frozenset({"a", "b"})]
    first = cluster_token_sets(sets)
    assert first.labels.tolist() == [0, -1, 0]
    assert cluster_token_sets(sets).labels.tolist() == first.labels.tolist()


def test_a_name_without_content_words_is_read_from_its_description() -> None:
    rule = CommunityRule(community="c", name="Rule 1", description="No self-promotion")
    assert rule_tokens(rule) == rule_tokens(CommunityRule(community="c", name="No self promotion"))


def test_families_are_stored_with_sizes_and_per_community_thresholds(
    store: Store, tmp_path: Path
) -> None:
    names, _ = _variants(seed=3, per=6)
    path = tmp_path / "rules.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["community", "rule"])
        writer.writerows([f"c{i}", n] for i, n in enumerate(names))
    import_community_rules(store, path, actor="t", site_policies=[])
    result = compute_rule_families(store)
    assert result.rules == len(names)
    families = list_rule_families(store)
    assert len(families) == result.families == len(STEMS)
    assert all(f.size == 6 and f.communities == 6 for f in families)
    first = families[0]
    thresholds = family_thresholds(store, first.id)
    assert len(thresholds.members) == 6 and thresholds.communities == {}
    community, key = thresholds.members[0]
    member_name = names[int(community[1:])]
    set_family_threshold(store, community, member_name, 0.8)
    assert family_thresholds(store, first.id).communities == {community: 0.8}
    with pytest.raises(ValidationError):
        set_family_threshold(store, community, member_name, 1.5)
    with pytest.raises(NotFoundError):
        set_family_threshold(store, community, "not a rule", 0.5)
    with pytest.raises(NotFoundError):
        family_thresholds(store, 999)
