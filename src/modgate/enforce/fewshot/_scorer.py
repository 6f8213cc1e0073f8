"""The policy-conditioned scorer: logistic regression on policy-relative similarity features.

Fitted across many policies (each policy's items described only by their similarities to that
policy's own examples and criteria, see `_features.py`), it transfers to a policy it has never
seen. Its probabilities are calibrated across policies: every training policy weighs the same
and, inside it, both classes weigh the same, so a score is P(violation) under an even prior for
a typical policy (measured per held-out policy in `bench/fewshot_bench.py`).

A fitted scorer is a small JSON file (standardization, coefficients, provenance); predicting
needs numpy only. `scorers/<backend>.json` ship with the package (fitted by
`bench/fewshot_bench.py --fit-scorers` on the MIT-licensed sets of shared/data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce.fewshot._features import FEATURES, SHAPES
from modgate.errors import ConfigError, ValidationError


class LinearModel(BaseModel):
    """A logistic regression on standardized features."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mean: list[float]
    """Per-feature mean removed first."""
    scale: list[float]
    """Per-feature scale divided out next."""
    coef: list[float]
    """Coefficients on the standardized features."""
    intercept: float
    """Intercept."""

    def predict(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """P(violation) of each row."""
        x = (np.asarray(features, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(
            self.scale
        )
        z = x @ np.asarray(self.coef) + self.intercept
        result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
        return result


class TransferScorer(BaseModel):
    """A fitted policy-conditioned scorer (the JSON of `scorers/<backend>.json`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str
    """Identity of the embedding backend its features were computed with."""
    features: list[str]
    """Feature names, in column order (must equal `FEATURES`)."""
    models: dict[str, LinearModel]
    """One model per policy shape (`full`, `no_safe`, `criteria_only`)."""
    trained_on: list[str] = Field(default_factory=list)
    """Policies it was fitted on."""
    rows: int = 0
    """Training rows."""
    note: str = ""
    """Where the training data came from."""

    def predict(self, features: NDArray[np.float64], shape: str = "full") -> NDArray[np.float64]:
        """P(violation) of each row of a `similarity_features` matrix of a policy of `shape`.

        Raises:
            ConfigError: The scorer has no model for that shape.
        """
        model = self.models.get(shape)
        if model is None:
            raise ConfigError(
                f"the few-shot scorer has no model for policies of shape {shape!r} "
                f"(it has {', '.join(sorted(self.models))})"
            )
        return model.predict(features)


def _fit_linear(
    blocks: Sequence[tuple[NDArray[np.float64], NDArray[np.int64]]],
    C: float,  # noqa: N803
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    x_all = np.vstack([x for x, _ in blocks])
    y_all = np.concatenate([np.asarray(y) for _, y in blocks])
    # every policy weighs the same and, inside it, both classes do
    weights = np.concatenate(
        [
            np.where(y == 1, 0.5 / max((y == 1).sum(), 1), 0.5 / max((y == 0).sum(), 1))
            for _, y in blocks
        ]
    )
    weights *= len(y_all) / weights.sum()
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit((x_all - mean) / scale, y_all, sample_weight=weights)
    return LinearModel(
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=model.coef_[0].tolist(),
        intercept=float(model.intercept_[0]),
    )


def fit_transfer_scorer(
    blocks: Sequence[tuple[str, str, NDArray[np.float64], NDArray[np.int64]]],
    *,
    backend: str,
    C: float = 1.0,  # noqa: N803 (scikit-learn's name)
    note: str = "",
) -> TransferScorer:
    """Fit the scorer on feature blocks of many policies, one model per policy shape.

    Args:
        blocks: (policy name, policy shape, features, labels 1 = violates) per policy; a
            block needs both labels, a shape needs two policies.
        backend: Identity of the backend the features came from.
        C: Inverse regularization strength.
        note: Provenance kept in the file.

    Raises:
        ValidationError: No shape has two usable policies, or a block of the wrong width.
    """
    usable = [b for b in blocks if len(set(np.asarray(b[3]).tolist())) == 2]
    for name, _, x, _ in usable:
        if x.ndim != 2 or x.shape[1] != len(FEATURES):
            raise ValidationError(f"policy {name}: features must have {len(FEATURES)} columns")
    models: dict[str, LinearModel] = {}
    for shape in SHAPES:
        mine = [(x, y) for _, s, x, y in usable if s == shape]
        if len(mine) >= 2:
            models[shape] = _fit_linear(mine, C)
    if not models:
        raise ValidationError("a transfer scorer needs two policies with both labels")
    return TransferScorer(
        backend=backend,
        features=list(FEATURES),
        models=models,
        trained_on=sorted({n for n, _, _, _ in usable}),
        rows=int(sum(len(y) for _, _, _, y in usable)),
        note=note,
    )


def read_scorer(path: Path) -> TransferScorer:
    """A scorer file.

    Raises:
        ConfigError: Unreadable, not a scorer, or fitted on other features.
    """
    try:
        scorer = TransferScorer.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, PydanticValidationError) as exc:
        raise ConfigError(f"{path}: not a few-shot scorer file: {exc}") from exc
    if scorer.features != list(FEATURES):
        raise ConfigError(
            f"{path}: fitted on features {scorer.features}, this build computes {list(FEATURES)}",
            hint="refit it with fit_transfer_scorer",
        )
    return scorer


@cache
def shipped_scorer(backend: str) -> TransferScorer:
    """The scorer shipped for a backend name (`wordllama`, `minilm`, `hashed`).

    Raises:
        ConfigError: None ships for that backend.
    """
    resource = files("modgate.enforce.fewshot") / "scorers" / f"{backend}.json"
    if not resource.is_file():
        raise ConfigError(
            f"no transfer scorer ships for the {backend!r} backend",
            hint="use scorer: similarity, or fit one with fit_transfer_scorer (scorer_file)",
        )
    return read_scorer(Path(str(resource)))


def similarity_score(margin: NDArray[np.float64]) -> NDArray[np.float64]:
    """The uncalibrated `similarity` score: the nearest-example margin mapped to [0, 1]."""
    result: NDArray[np.float64] = np.clip((np.asarray(margin) + 1.0) / 2.0, 0.0, 1.0)
    return result


__all__ = [
    "LinearModel",
    "TransferScorer",
    "fit_transfer_scorer",
    "read_scorer",
    "shipped_scorer",
    "similarity_score",
]
