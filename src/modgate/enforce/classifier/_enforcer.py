"""ClassifierEnforcer: a fitted text classifier behind the Enforcer contract."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from modgate.domain import Item, Verdict
from modgate.enforce._actions import action_for_score
from modgate.enforce._artifact import load_artifact
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.classifier._params import ClassifierParams
from modgate.enforce.classifier._preprocess import PREPROCESSING
from modgate.errors import EnforcerError


class ClassifierEnforcer:
    """Judges items with a fitted classifier's calibrated P(violation).

    The model is anything with `predict_proba(texts)` returning (n, 2) probabilities (a
    `TextClassifier`, or any sklearn pipeline over raw text). The score is P(violation), the
    action comes from the spec's thresholds (community overrides included), and the label from
    `params.decision_threshold`. If the model fails on a batch, each item is retried alone so
    one bad item becomes one error verdict (action `review`) and the rest are judged.

    Args:
        spec: The enforcer spec (kind `classifier`).
        model: The fitted model.
    """

    def __init__(self, spec: EnforcerSpec, model: Any) -> None:
        if not hasattr(model, "predict_proba"):
            raise EnforcerError(f"{spec.ref}: the model has no predict_proba")
        fitted_with = getattr(model, "preprocessing_", PREPROCESSING)
        if fitted_with != PREPROCESSING:
            raise EnforcerError(
                f"{spec.ref}: the model was fitted with text preprocessing {fitted_with!r}, this "
                f"build preprocesses with {PREPROCESSING!r}: its features would not match",
                hint=f"retrain it: modgate enforcer train enforcers/{spec.name}.yaml",
            )
        self._spec = spec
        self._params = ClassifierParams.model_validate(spec.params)
        self.model = model

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    def _scores(self, texts: list[str]) -> np.ndarray[Any, Any]:
        proba = np.asarray(self.model.predict_proba(texts), dtype=float)
        scores = proba[:, 1] if proba.ndim == 2 else proba
        if scores.shape != (len(texts),) or not np.all(np.isfinite(scores)):
            raise ValueError("model returned scores of the wrong shape or not finite")
        clipped: np.ndarray[Any, Any] = np.clip(scores, 0.0, 1.0)
        return clipped

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch: one verdict per item, in order; failures are error verdicts."""
        if not items:
            return []
        start = time.perf_counter()
        texts = [item.text for item in items]
        try:
            scores: list[float | str] = [float(s) for s in self._scores(texts)]
        except Exception:  # isolate the item that breaks the batch
            scores = []
            for text in texts:
                try:
                    scores.append(float(self._scores([text])[0]))
                except Exception as exc:
                    scores.append(f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - start) * 1000.0 / len(items)
        return [
            self._verdict(item, score, latency) for item, score in zip(items, scores, strict=True)
        ]

    def _verdict(self, item: Item, score: float | str, latency_ms: float) -> Verdict:
        spec = self._spec
        if isinstance(score, str):
            failed = Verdict.failed(item.id, spec.policy, spec.ref, score)
            return failed.model_copy(update={"latency_ms": latency_ms})
        violating = score >= self._params.decision_threshold
        return Verdict(
            item_id=item.id,
            policy=spec.policy,
            enforcer=spec.ref,
            score=score,
            label="violating" if violating else "non_violating",
            action=action_for_score(score, spec.thresholds, item.community),
            rationale=f"classifier ({self._params.profile}) P(violation) = {score:.3f}",
            latency_ms=latency_ms,
        )


def create_classifier_enforcer(
    spec: EnforcerSpec | Mapping[str, Any], *, base_dir: Path | None = None
) -> ClassifierEnforcer:
    """Build a `ClassifierEnforcer` from its spec, loading and hash-checking the artifact.

    Args:
        spec: The spec (or its JSON form); `params.artifact` and `params.artifact_sha256` set.
        base_dir: Folder that a relative `params.artifact` is relative to (the workspace).

    Raises:
        EnforcerError: The spec has no trained artifact, or the artifact's hash differs.
    """
    spec = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
    params = ClassifierParams.model_validate(spec.params)
    if params.artifact is None or params.artifact_sha256 is None:
        raise EnforcerError(
            f"classifier {spec.ref} has no trained model",
            hint=f"train it: modgate enforcer train enforcers/{spec.name}.yaml "
            "--golden NAME@VERSION",
        )
    path = Path(params.artifact)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return ClassifierEnforcer(spec, load_artifact(path, params.artifact_sha256))


__all__ = ["ClassifierEnforcer", "create_classifier_enforcer"]
