"""Adversarial augmentation, the hardened version, and the adversarial golden slice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from modgate.enforce import EnforcerSpec, get_enforcer_version
from modgate.errors import ValidationError
from modgate.golden import freeze_golden_set, golden_version_rows
from modgate.redteam import (
    AttackExample,
    Leetspeak,
    Misspelling,
    PerturbationSpec,
    RedteamReport,
    add_adversarial_slice,
    adversarial_rows,
    augment_training_rows,
    compute_robustness,
    train_hardened_enforcer,
)
from modgate.store import Store
from tests.enforce.conftest import synthetic_rows

CLF = EnforcerSpec(
    name="hate-clf-hardened", kind="classifier", policy="hate@1", params={"n_features": 4096}
)


def test_augmentation_appends_perturbed_copies_deterministically() -> None:
    rows = synthetic_rows(60)
    perturbations = [Leetspeak(rate=1.0), Misspelling(rate=1.0)]
    first = augment_training_rows(rows, perturbations, copies=2, weight=0.25, seed=5)
    assert first == augment_training_rows(rows, perturbations, copies=2, weight=0.25, seed=5)
    assert first != augment_training_rows(rows, perturbations, copies=2, weight=0.25, seed=6)
    assert first[: len(rows)] == rows
    copies = first[len(rows) :]
    assert len(rows) < len(copies) <= 2 * len(rows)
    originals = {r.text: r for r in rows}
    assert all(c.text not in originals for c in copies)
    assert all(c.weight == pytest.approx(0.25) for c in copies)
    assert sum(c.label for c in copies) / len(copies) == pytest.approx(0.5, abs=0.1)
    with pytest.raises(ValidationError, match="copies"):
        augment_training_rows(rows, perturbations, copies=0)
    with pytest.raises(ValidationError, match="perturbation"):
        augment_training_rows(rows, [])


def test_the_hardened_classifier_is_a_new_catalog_version(store: Store, tmp_path: Path) -> None:
    rows = synthetic_rows(120)
    result = train_hardened_enforcer(
        store, CLF, rows, [Leetspeak(), Misspelling()], workspace=tmp_path, actor="ana",
        training_source="golden:hate@1:train",
    )  # fmt: skip
    assert result.created and result.version.ref == "hate-clf-hardened@1"
    stored = get_enforcer_version(store, "hate-clf-hardened@1")
    assert stored.data_hash == result.version.data_hash
    plain = train_hardened_enforcer(
        store, CLF, rows, [Leetspeak()], workspace=tmp_path, actor="ana", seed=9
    )
    assert plain.version.version == 2 and plain.version.data_hash != stored.data_hash


def _report() -> RedteamReport:
    examples = (
        AttackExample(item_id="it1", perturbation="leetspeak", family="normalized", cost=2,
                      original="you are vermin", perturbed="you 4re v3rmin", clean_score=0.9,
                      score=0.2),
        AttackExample(item_id="it2", perturbation="llm_coded(model='m')", family="llm", cost=9,
                      original="they are vermin", perturbed="they are the usual pests",
                      clean_score=0.9, score=0.1),
    )  # fmt: skip
    return RedteamReport(
        id="redteam-abc", enforcer="kw@1", enforcer_version_hash="e" * 64, policy="hate@1",
        golden="g@1", golden_hash="g" * 64, split="test", perturbations=(
            PerturbationSpec(name="leetspeak"),), budget=1, seed=0, n_items=2, n_caught=2,
        n_passed=0, figures=compute_robustness([]), examples=examples,
        created_at=datetime(2026, 12, 1, tzinfo=UTC), created_by="t",
    )  # fmt: skip


def test_adversarial_rows_are_tagged_and_grouped_with_their_original() -> None:
    rows = adversarial_rows(_report())
    assert [r["group"] for r in rows] == ["it1", "it2"]
    assert rows[0]["tags"] == "adversarial;adversarial:normalized;perturbation:leetspeak"
    assert rows[1]["tags"].endswith(";needs_review")
    assert all(r["label"] == "violating" and r["policy"] == "hate" for r in rows)
    assert len({r["id"] for r in rows}) == 2


def test_successful_attacks_become_an_adversarial_golden_slice(store: Store) -> None:
    result = add_adversarial_slice(store, _report(), "hate-adv", actor="ana")
    assert result.rejected == 0 and result.items == 2
    freeze_golden_set(store, "hate-adv", actor="ana")
    rows = golden_version_rows(store, "hate-adv@1")
    assert sorted(r.text for r in rows) == ["they are the usual pests", "you 4re v3rmin"]
    assert all("adversarial" in r.tags for r in rows)
    assert all(r.label == "violating" for r in rows)
