"""Dawid–Skene EM for gold labels from noisy annotators (pure, numpy).

Hand-written on purpose: no well-kept package implements Dawid–Skene (the few on PyPI are
unmaintained research code or pull in heavy frameworks), and the algorithm is ~40 lines of
numpy. Reference: A. P. Dawid and A. M. Skene (1979), "Maximum Likelihood Estimation of
Observer Error-Rates Using the EM Algorithm", JRSS C 28(1).

Observations are (item, annotator, label, count) so anonymous vote counts fit too: they come
in as one pooled "crowd" annotator whose confusion matrix is estimated like any other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

_FLOOR = 1e-6  # keeps log() finite for confusion cells never observed


class DawidSkeneResult(BaseModel):
    """Fitted Dawid–Skene model."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    labels: tuple[str, ...]
    """Category order of the arrays."""
    annotators: tuple[str, ...]
    """Annotator order of `confusion`."""
    posteriors: np.ndarray
    """items × categories: P(true label | observations)."""
    priors: np.ndarray
    """categories: estimated class prevalence."""
    confusion: np.ndarray
    """annotators × true × given: P(annotator gives `given` | true label)."""
    iterations: int
    """EM iterations run."""
    converged: bool
    """Whether the posteriors changed less than the tolerance before `max_iter`."""


def dawid_skene(
    item_idx: Sequence[int] | np.ndarray,
    annotator_idx: Sequence[int] | np.ndarray,
    label_idx: Sequence[int] | np.ndarray,
    counts: Sequence[float] | np.ndarray,
    *,
    n_items: int,
    labels: Sequence[str],
    annotators: Sequence[str],
    max_iter: int = 500,
    tol: float = 1e-6,
    smoothing: float = 0.01,
) -> DawidSkeneResult:
    """Fit Dawid–Skene by EM, initialised from (count-weighted) majority vote.

    Args:
        item_idx: Item index of each observation.
        annotator_idx: Annotator index of each observation.
        label_idx: Index (into `labels`) of the label given.
        counts: How many times that annotator gave that label to that item (votes).
        n_items: Number of items (observations index 0..n_items-1).
        labels: Category names.
        annotators: Annotator names.
        max_iter: Maximum EM iterations.
        tol: Stop when no posterior moves more than this.
        smoothing: Additive (Laplace) smoothing of confusion counts, so an annotator seen on
            few items does not get probabilities of exactly 0 or 1.

    Returns:
        Posteriors per item, priors and per-annotator confusion matrices.
    """
    items = np.asarray(item_idx, dtype=np.int64)
    workers = np.asarray(annotator_idx, dtype=np.int64)
    given = np.asarray(label_idx, dtype=np.int64)
    weight = np.asarray(counts, dtype=float)
    n_labels, n_workers = len(labels), len(annotators)
    if n_labels == 0 or n_items == 0:
        raise ValueError("Dawid-Skene needs at least one item and one label")

    posteriors = np.zeros((n_items, n_labels))
    np.add.at(posteriors, (items, given), weight)
    row_sums = posteriors.sum(axis=1, keepdims=True)
    posteriors = np.where(row_sums > 0, posteriors / np.maximum(row_sums, 1e-300), 1 / n_labels)

    iterations = 0
    converged = False
    priors = np.full(n_labels, 1 / n_labels)
    confusion = np.full((n_workers, n_labels, n_labels), 1 / n_labels)
    for iterations in range(1, max_iter + 1):  # noqa: B007 (kept for the result)
        # M-step: class priors and per-annotator confusion matrices from soft labels.
        priors = posteriors.mean(axis=0)
        confusion = np.full((n_workers, n_labels, n_labels), smoothing)
        for true in range(n_labels):
            contrib = posteriors[items, true] * weight
            flat = np.bincount(
                workers * n_labels + given, weights=contrib, minlength=n_workers * n_labels
            )
            confusion[:, true, :] += flat.reshape(n_workers, n_labels)
        confusion /= confusion.sum(axis=2, keepdims=True)
        # E-step: posterior over the true label of each item.
        log_conf = np.log(np.maximum(confusion, _FLOOR))
        log_post = np.tile(np.log(np.maximum(priors, _FLOOR)), (n_items, 1))
        np.add.at(log_post, items, weight[:, None] * log_conf[workers, :, given])
        log_post -= log_post.max(axis=1, keepdims=True)
        updated = np.exp(log_post)
        updated /= updated.sum(axis=1, keepdims=True)
        delta = float(np.abs(updated - posteriors).max())
        posteriors = updated
        if delta < tol:
            converged = True
            break
    return DawidSkeneResult(
        labels=tuple(labels),
        annotators=tuple(annotators),
        posteriors=posteriors,
        priors=priors,
        confusion=confusion,
        iterations=iterations,
        converged=converged,
    )
