"""`params` of a `classifier` enforcer spec."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ClassifierParams(BaseModel):
    """`params` of a `classifier` enforcer spec."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: Literal["fast", "accurate"] = "fast"
    """`fast` (hashed word n-grams) or `accurate` (word + character n-grams)."""
    C: float = Field(default=8.0, gt=0)
    """Inverse regularization strength of the logistic regression."""
    n_features: int = Field(default=2**20, ge=2**10, le=2**24)
    """Hash space per feature family."""
    ngram_max: int | None = Field(default=None, ge=1, le=4)
    """Longest word n-gram (default 2)."""
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    """Probability calibration method."""
    decision_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Score at or above which the verdict's label is `violating`."""
    artifact: str | None = None
    """Trained model file, relative to the workspace (set by `modgate enforcer train`)."""
    artifact_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256 of the artifact (set by training or registration)."""

    def training_params(self) -> dict[str, object]:
        """The `TextClassifier` parameters these params set."""
        return {
            "C": self.C,
            "n_features": self.n_features,
            "ngram_max": self.ngram_max,
            "calibration": self.calibration,
        }


__all__ = ["ClassifierParams"]
