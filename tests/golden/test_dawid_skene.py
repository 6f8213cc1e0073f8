from __future__ import annotations

import numpy as np
import pytest

from modgate.golden import dawid_skene


def _simulate(seed: int = 3, n_items: int = 800):
    rng = np.random.default_rng(seed)
    priors = np.array([0.7, 0.3])
    confusion = np.array(
        [
            [[0.95, 0.05], [0.10, 0.90]],  # good
            [[0.85, 0.15], [0.20, 0.80]],  # decent
            [[0.60, 0.40], [0.45, 0.55]],  # near random
            [[0.30, 0.70], [0.75, 0.25]],  # adversarial: mostly flips
            [[0.90, 0.10], [0.50, 0.50]],  # misses half the violations
        ]
    )
    truth = rng.choice(2, size=n_items, p=priors)
    obs = ([], [], [], [])
    for i, t in enumerate(truth):
        for a in range(len(confusion)):
            if rng.random() < 0.2:  # missing labels
                continue
            given = rng.choice(2, p=confusion[a, t])
            for store, value in zip(obs, (i, a, given, 1), strict=True):
                store.append(value)
    return truth, confusion, priors, obs


def test_dawid_skene_recovers_annotator_confusion_and_priors() -> None:
    truth, confusion, priors, (items, workers, labels, counts) = _simulate()
    fit = dawid_skene(
        items, workers, labels, counts, n_items=len(truth), labels=["ok", "bad"],
        annotators=[f"a{i}" for i in range(5)],
    )  # fmt: skip
    assert fit.converged
    assert np.abs(fit.confusion - confusion).max() < 0.08
    assert fit.priors == pytest.approx(priors, abs=0.05)


def test_dawid_skene_beats_majority_vote_with_an_adversarial_annotator() -> None:
    truth, _, _, (items, workers, labels, counts) = _simulate(seed=11)
    fit = dawid_skene(
        items, workers, labels, counts, n_items=len(truth), labels=["ok", "bad"],
        annotators=[f"a{i}" for i in range(5)],
    )  # fmt: skip
    votes = np.zeros((len(truth), 2))
    np.add.at(votes, (np.array(items), np.array(labels)), 1)
    majority_acc = float((votes.argmax(axis=1) == truth).mean())
    ds_acc = float((fit.posteriors.argmax(axis=1) == truth).mean())
    assert ds_acc > majority_acc + 0.03
    assert ds_acc > 0.93


def test_dawid_skene_accepts_vote_counts_of_a_pooled_crowd() -> None:
    # Three items, one pooled "crowd" annotator with vote counts.
    fit = dawid_skene(
        [0, 0, 1, 2, 2], [0, 0, 0, 0, 0], [0, 1, 1, 0, 1], [3, 1, 4, 1, 2],
        n_items=3, labels=["x", "y"], annotators=["(crowd)"],
    )  # fmt: skip
    assert fit.posteriors.shape == (3, 2)
    assert np.allclose(fit.posteriors.sum(axis=1), 1)
    assert fit.posteriors[0].argmax() == 0 and fit.posteriors[1].argmax() == 1
