from __future__ import annotations

import gzip
import json
import warnings
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from modgate.golden import (
    Annotation,
    RatedItem,
    UndefinedAgreementWarning,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    label_counts,
    measure_agreement,
    rated_items_from_votes,
)

DAVIDSON = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "davidson-hate-offensive"
    / "davidson-hate-offensive.jsonl.gz"
)
LABELS = ["a", "b", "c"]


def _simulated(seed: int = 7, n_items: int = 120, missing: float = 0.3) -> list[RatedItem]:
    """Four annotators of varying quality; some labels missing at random."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=n_items, p=[0.5, 0.3, 0.2])
    accuracy = {"ann": 0.9, "bob": 0.8, "cat": 0.7, "dan": 0.55}
    items = []
    for i, true in enumerate(truth):
        ratings = []
        for name, acc in accuracy.items():
            if rng.random() < missing:
                continue
            given = true if rng.random() < acc else rng.choice([k for k in range(3) if k != true])
            ratings.append(Annotation(item_id=f"i{i}", annotator=name, label=LABELS[given]))
        items.append(
            RatedItem(
                item_id=f"i{i}",
                ratings=tuple(ratings),
                policy="p1" if i % 2 else "p2",
                tags=("sarcasm",) if i % 3 == 0 else (),
                community="c1" if i % 4 == 0 else None,
                gold=LABELS[true],
            )
        )
    return items


def _reliability(items: list[RatedItem]) -> np.ndarray:
    annotators = sorted({r.annotator for it in items for r in it.ratings if r.annotator})
    data = np.full((len(annotators), len(items)), np.nan)
    for col, item in enumerate(items):
        for r in item.ratings:
            data[annotators.index(r.annotator), col] = LABELS.index(r.label)
    return data


def test_cohen_kappa_per_pair_equals_sklearn_on_common_items_with_missing_labels() -> None:
    items = _simulated()
    report = measure_agreement(items)
    pairs = {
        r.pair: r for r in report.results if r.statistic == "cohen_kappa" and r.scope == "overall"
    }
    assert len(pairs) == 6
    by = {n: {} for n in ("ann", "bob", "cat", "dan")}
    for item in items:
        for r in item.ratings:
            by[r.annotator][item.item_id] = r.label
    for a, b in combinations(sorted(by), 2):
        common = sorted(set(by[a]) & set(by[b]))
        expected = cohen_kappa_score([by[a][i] for i in common], [by[b][i] for i in common])
        result = pairs[f"{a}|{b}"]
        assert result.items == len(common) < 120  # missing labels really reduce the base
        assert result.value == pytest.approx(expected, abs=1e-12)


def test_krippendorff_alpha_from_counts_equals_reference_from_annotator_labels() -> None:
    items = _simulated()
    report = measure_agreement(items)
    overall = next(
        r for r in report.results if r.statistic == "krippendorff_alpha" and r.scope == "overall"
    )
    expected = krippendorff.alpha(
        reliability_data=_reliability(items), level_of_measurement="nominal"
    )
    assert overall.value == pytest.approx(expected, abs=1e-9)
    assert overall.items == sum(1 for it in items if len(it.ratings) >= 2)


def test_krippendorff_alpha_by_policy_uses_only_that_policys_items() -> None:
    items = _simulated()
    report = measure_agreement(items)
    for policy in ("p1", "p2"):
        subset = [it for it in items if it.policy == policy]
        got = next(
            r
            for r in report.results
            if r.statistic == "krippendorff_alpha" and r.scope == "policy" and r.group == policy
        )
        expected = krippendorff.alpha(
            reliability_data=_reliability(subset), level_of_measurement="nominal"
        )
        assert got.value == pytest.approx(expected, abs=1e-9)
    tags = [r for r in report.results if r.scope == "tag"]
    assert {r.group for r in tags} == {"sarcasm"}
    assert {r.group for r in report.results if r.scope == "community"} == {"c1"}


def test_fleiss_kappa_uses_items_with_the_modal_rating_count_and_equals_statsmodels() -> None:
    items = _simulated()
    report = measure_agreement(items)
    overall = next(
        r for r in report.results if r.statistic == "fleiss_kappa" and r.scope == "overall"
    )
    table = label_counts(items, LABELS)
    totals = table.sum(axis=1)
    values, freq = np.unique(totals[totals >= 2], return_counts=True)
    modal = values[np.argmax(freq)]
    expected = sm_fleiss_kappa(table[totals == modal], method="fleiss")
    assert overall.items == int((totals == modal).sum())
    assert overall.value == pytest.approx(expected, abs=1e-12)
    assert "ratings" in (overall.note or "")


def test_fleiss_kappa_matches_the_textbook_example() -> None:
    # Fleiss (1971) style worked example from Wikipedia: 10 subjects, 14 raters, 5 categories.
    table = np.array(
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ]
    )  # fmt: skip
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)
    with pytest.raises(ValueError, match="same number of ratings"):
        fleiss_kappa(np.array([[1, 1], [2, 1]]))


def test_undefined_statistics_return_none_with_a_warning() -> None:
    with pytest.warns(UndefinedAgreementWarning):
        assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    with pytest.warns(UndefinedAgreementWarning):
        assert fleiss_kappa(np.array([[3, 0], [3, 0]])) is None
    with pytest.warns(UndefinedAgreementWarning):
        assert krippendorff_alpha(np.array([[1, 0], [0, 1]])) is None  # nothing pairable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = measure_agreement(rated_items_from_votes({"x": {"a": 3}, "y": {"a": 2}}))
    assert all(r.value is None and r.note for r in report.results)


def test_annotator_far_from_gold_is_flagged() -> None:
    report = measure_agreement(_simulated(n_items=300), flag_margin=0.2)
    flagged = {a.annotator for a in report.annotators if a.flagged}
    assert flagged == {"dan"}
    ann = next(a for a in report.annotators if a.annotator == "ann")
    assert ann.accuracy > 0.85 and ann.items > 150


@pytest.mark.skipif(not DAVIDSON.exists(), reason="shared data not present")
def test_davidson_vote_counts_fleiss_and_krippendorff_agree_with_references() -> None:
    classes = ["hate_speech", "offensive_language", "neither"]
    votes: dict[str, dict[str, int]] = {}
    with gzip.open(DAVIDSON, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            votes[row["id"]] = {c: int(row["meta"][f"{c}_votes"]) for c in classes}
    report = measure_agreement(
        rated_items_from_votes(votes, policy="hate_speech"), scopes=["overall"]
    )
    fleiss = next(r for r in report.results if r.statistic == "fleiss_kappa")
    alpha = next(r for r in report.results if r.statistic == "krippendorff_alpha")

    table = np.array([[v[c] for c in classes] for v in votes.values()], dtype=float)
    three = table[table.sum(axis=1) == 3]
    assert fleiss.items == len(three) > 20_000
    assert fleiss.value == pytest.approx(sm_fleiss_kappa(three, method="fleiss"), abs=1e-12)

    # Independent path: expand the counts into anonymous raters (NaN where an item had fewer).
    width = int(table.sum(axis=1).max())
    reliability = np.full((width, len(table)), np.nan)
    for col, row in enumerate(table.astype(int)):
        values = np.repeat(np.arange(3), row)
        reliability[: len(values), col] = values
    reference = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    assert alpha.items == len(table)
    assert alpha.value == pytest.approx(reference, abs=1e-9)
    # Both statistics measure the same agreement: on 24k items they nearly coincide.
    assert abs(alpha.value - fleiss.value) < 0.02
    assert 0.3 < fleiss.value < 0.7
