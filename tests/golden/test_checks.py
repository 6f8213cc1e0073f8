from __future__ import annotations

from modgate.golden import (
    duplicate_clusters,
    find_label_conflicts,
    find_leakage,
    find_near_duplicates,
    measure_source_balance,
)
from modgate.golden._checks import normalize_for_match

BASE = "the quick brown fox jumps over the lazy dog near the quiet river bank today"


def test_exact_duplicates_after_normalization_and_near_duplicates_are_paired() -> None:
    texts = [
        ("a", BASE),
        ("b", BASE.upper() + "!!!"),  # exact after normalization
        ("c", BASE.replace("today", "tonight")),  # one word changed: near
        ("d", "an entirely different sentence about moderation policy and appeals"),
    ]
    pairs = find_near_duplicates(texts, threshold=0.7)
    found = {(p.first, p.second, p.exact) for p in pairs}
    assert ("a", "b", True) in found
    assert ("a", "c", False) in found
    assert not any("d" in (p.first, p.second) for p in pairs)
    clusters = duplicate_clusters(pairs)
    assert clusters == {"a": "a", "b": "a", "c": "a"}


def test_conflicting_gold_labels_within_a_duplicate_cluster_are_listed() -> None:
    pairs = find_near_duplicates([("x1", BASE), ("x2", BASE), ("y", "other words here")])
    conflicts = find_label_conflicts(
        duplicate_clusters(pairs), {"x1": "violating", "x2": "non_violating", "y": "violating"}
    )
    assert len(conflicts) == 1
    assert conflicts[0].items == ("x1", "x2")
    assert conflicts[0].labels == {"violating": 1, "non_violating": 1}
    agreeing = find_label_conflicts(duplicate_clusters(pairs), {"x1": "v", "x2": "v"})
    assert agreeing == []


def test_leakage_finds_exact_and_near_copies_in_the_training_set() -> None:
    golden = [("g1", BASE), ("g2", BASE.replace("today", "tonight")), ("g3", "nothing alike")]
    training = [("t1", BASE.lower()), ("t2", "completely unrelated training text goes here")]
    leaks = find_leakage(golden, training, threshold=0.7)
    by_item = {leak.item_id: leak for leak in leaks}
    assert by_item["g1"].exact and by_item["g1"].training_id == "t1"
    assert not by_item["g2"].exact and by_item["g2"].training_id == "t1"
    assert "g3" not in by_item


def test_single_class_sources_are_flagged_first() -> None:
    balance = measure_source_balance(
        [("s1", "v"), ("s1", "n"), ("s1", "n"), ("s2", "v"), ("s2", "v"), (None, "n"), ("s3", None)]
    )
    assert [b.source for b in balance] == ["s2", "(none)", "s1"]
    assert balance[0].single_class and balance[0].majority_share == 1.0
    assert not balance[2].single_class and balance[2].labels == {"n": 2, "v": 1}


def test_normalization_ignores_case_and_punctuation() -> None:
    assert normalize_for_match("Hello,   WORLD!") == normalize_for_match("hello world")


def test_cluster_shortcut_equals_clusters_of_the_pair_list() -> None:
    from modgate.golden import near_duplicate_clusters

    texts = [
        ("a", BASE), ("b", BASE + "!"), ("c", BASE.replace("today", "tonight")),
        ("d", "another sentence entirely, nothing shared with the rest"), ("e", "🙂"), ("f", "🙃"),
    ]  # fmt: skip
    expected = duplicate_clusters(find_near_duplicates(texts, threshold=0.7))
    assert near_duplicate_clusters(texts, threshold=0.7) == expected
    assert "e" not in expected and "f" not in expected  # texts without words are not "equal"
