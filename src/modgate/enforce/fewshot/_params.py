"""`params` of a `fewshot` enforcer spec."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BackendName = Literal["auto", "wordllama", "hybrid", "minilm", "hashed"]
"""Embedding backend: `auto` picks the measured default that is installed (see docs/fewshot.md)."""


class FewShotParams(BaseModel):
    """Parameters of the `fewshot` enforcer kind (`params:` of `enforcers/NAME.yaml`).

    The policy comes, in order, from `policy_file`, from `community` (that community's
    imported rules in the store) or from the published `policy@version` the spec names.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: BackendName = "auto"
    """Sentence-embedding backend: `hybrid` (the default: `wordllama` and `hashed` together),
    `wordllama` (static embeddings shipped in the PyPI package), `minilm` (all-MiniLM-L6-v2
    shipped in a PyPI package; needs the `modgate[fewshot]` extra, torch CPU), `hashed`
    (character n-grams, needs nothing)."""
    scorer: Literal["transfer", "similarity"] = "transfer"
    """`transfer`: the policy-conditioned scorer fitted across many policies (calibrated
    probabilities); `similarity`: a logistic squash of the nearest-example margin."""
    scorer_file: str | None = None
    """A scorer fitted with `fit_transfer_scorer` (JSON), instead of the one shipped for the
    backend (relative to the workspace; pinned at registration)."""
    k: int = Field(default=3, ge=1, le=32)
    """Nearest examples averaged per side."""
    policy_file: str | None = None
    """Policy YAML file (relative to the workspace; pinned at registration)."""
    community: str | None = Field(default=None, min_length=1)
    """Enforce this community's current imported rules (needs the store)."""
    family: int | None = Field(default=None, ge=1)
    """The rule family this enforcer serves (`modgate policy families`); its per-community
    thresholds apply and the long-tail table shrinks toward it."""
    decision_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Score at or above which the verdict's label is `violating`."""
    batch_size: int = Field(default=512, ge=1, le=65536)
    """Texts encoded per batch."""
    artifact: str | None = None
    """Cached example embeddings for the policy version (set at registration)."""
    artifact_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256 of the artifact."""
    policy_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256 of the pinned `policy_file` (set at registration)."""


__all__ = ["BackendName", "FewShotParams"]
