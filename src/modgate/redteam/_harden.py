"""Hardening: adversarial augmentation of classifier training rows, and the hardened version.

`augment_training_rows` is pure: perturbed copies of the rows (violating and non-violating
alike, so the model learns that a trick is not itself evidence), seeded per row. The hardened
enforcer is trained through enforce's public API (`train_enforcer`) and registered as a new
catalog version, so it is evaluated, red-teamed and gated like any other version.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modgate.enforce import EnforcerSpec, RegisterResult, TrainingRow, train_enforcer
from modgate.errors import ValidationError
from modgate.redteam._perturbation import Perturbation, derive_rng
from modgate.store import Store


def augment_training_rows(
    rows: Sequence[TrainingRow],
    perturbations: Sequence[Perturbation],
    *,
    copies: int = 1,
    weight: float = 0.5,
    seed: int = 0,
) -> list[TrainingRow]:
    """The rows followed by perturbed copies of them.

    Each copy of each row takes one perturbation, chosen by the row's seeded generator, so
    the augmentation is reproducible and spread evenly over the perturbations. Copies whose
    text did not change are dropped (they would only re-weight the row).

    Args:
        rows: Training rows.
        perturbations: Tricks to train against.
        copies: Perturbed copies per row.
        weight: Weight of a copy relative to its row's weight.
        seed: Seed of the augmentation (use another seed than the red-team run's).

    Raises:
        ValidationError: No perturbation, `copies` below 1 or a weight outside (0, 1].
    """
    if not perturbations:
        raise ValidationError("augmentation needs at least one perturbation")
    if copies < 1:
        raise ValidationError(f"copies must be at least 1, got {copies}")
    if not 0.0 < weight <= 1.0:
        raise ValidationError(f"augmentation weight must be in (0, 1], got {weight}")
    out = list(rows)
    for index, row in enumerate(rows):
        for copy in range(copies):
            rng = derive_rng(seed, "augment", str(index), str(copy))
            perturbation = perturbations[rng.randrange(len(perturbations))]
            text = perturbation.apply(row.text, rng)
            if text != row.text and text.strip():
                out.append(TrainingRow(text=text, label=row.label, weight=row.weight * weight))
    return out


def train_hardened_enforcer(
    store: Store,
    spec: EnforcerSpec,
    rows: Sequence[TrainingRow],
    perturbations: Sequence[Perturbation],
    *,
    workspace: Path,
    actor: str,
    dev_rows: Sequence[TrainingRow] = (),
    copies: int = 1,
    weight: float = 0.5,
    seed: int = 1,
    training_source: str = "",
) -> RegisterResult:
    """Train a `classifier` spec on adversarially augmented rows; register the new version.

    Args:
        store: The store.
        spec: The classifier spec (give it its own name, e.g. `hate-clf-hardened`).
        rows: The clean training rows (a frozen train split, say).
        perturbations: Tricks to augment with.
        workspace: Workspace root (the artifact goes under it).
        actor: Who trains (audit).
        dev_rows: Clean held-out rows for the dev metrics stored with the artifact.
        copies: Perturbed copies per row.
        weight: Relative weight of a copy.
        seed: Augmentation seed.
        training_source: Where the rows came from, kept in the sidecar; the augmentation is
            appended (`+ redteam augmentation …`).

    Returns:
        The registered version (evaluate and gate it like any other).
    """
    augmented = augment_training_rows(rows, perturbations, copies=copies, weight=weight, seed=seed)
    names = ",".join(p.spec.label for p in perturbations)
    source = (
        f"{training_source} + redteam augmentation ({names}; x{copies}, w{weight}, seed {seed})"
    )
    return train_enforcer(
        store,
        spec,
        augmented,
        workspace=workspace,
        actor=actor,
        dev_rows=dev_rows,
        training_source=source.strip(" +"),
    )


__all__ = ["augment_training_rows", "train_hardened_enforcer"]
