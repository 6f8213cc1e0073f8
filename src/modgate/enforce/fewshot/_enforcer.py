"""FewShotEnforcer: a policy enforced from its own words — definition, criteria, examples.

No labelled training set: each item is embedded, compared with the policy's embedded violating
and safe examples, criteria and allowed contexts, and the policy-conditioned scorer turns those
similarities into a calibrated P(violation). The embedding backend loads when the enforcer is
built (first use), the policy's embeddings come from the registered artifact or are computed
once per policy version.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from modgate.domain import Item, Verdict
from modgate.enforce._actions import action_for_score
from modgate.enforce._artifact import file_sha256
from modgate.enforce._kinds import resolve_path
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.fewshot._backends import EmbeddingBackend, get_backend
from modgate.enforce.fewshot._features import (
    PolicyTexts,
    Prototypes,
    cosine,
    nearest_margin,
    policy_shape,
    similarity_features,
)
from modgate.enforce.fewshot._params import FewShotParams
from modgate.enforce.fewshot._prototypes import embed_policy, load_prototypes
from modgate.enforce.fewshot._scorer import (
    TransferScorer,
    read_scorer,
    shipped_scorer,
    similarity_score,
)
from modgate.errors import ConfigError
from modgate.policy import Policy, policy_content_hash

if TYPE_CHECKING:
    from modgate.store import Store


def resolve_fewshot_policy(
    spec: EnforcerSpec,
    params: FewShotParams,
    *,
    store: Store | None = None,
    workspace: Path | None = None,
) -> Policy:
    """The policy a `fewshot` spec enforces: its file, its community's rules, or `policy@V`.

    Raises:
        ConfigError: None of them can be read (the message says what to set).
    """
    from modgate.policy import community_policy, load_policy_ref

    if params.policy_file is not None:
        path = resolve_path(params.policy_file, workspace)
        if not path.is_file():
            raise ConfigError(f"enforcer {spec.name!r}: params.policy_file {path} not found")
        if params.policy_sha256 is not None and file_sha256(path) != params.policy_sha256:
            raise ConfigError(
                f"enforcer {spec.name!r}: pinned policy file {path} changed since registration",
                hint="register the spec again to make a new version",
            )
        return load_policy_ref(str(path)).policy
    if params.community is not None:
        if store is None:
            raise ConfigError(f"enforcer {spec.name!r}: params.community needs the store")
        return community_policy(store, params.community)
    if store is not None and "@" in spec.policy:
        return load_policy_ref(spec.policy, store=lambda: store).policy
    raise ConfigError(
        f"enforcer {spec.name!r}: no policy to enforce (set params.policy_file or "
        "params.community, name a published policy@version with a store, or pass policy=)"
    )


def _scorer_for(params: FewShotParams, backend: EmbeddingBackend, workspace: Path | None) -> Any:
    if params.scorer == "similarity":
        return None
    scorer: TransferScorer
    if params.scorer_file is not None:
        scorer = read_scorer(resolve_path(params.scorer_file, workspace))
    else:
        scorer = shipped_scorer(backend.name)
    if scorer.backend.split("@")[0] != backend.identity.split("@")[0]:
        raise ConfigError(
            f"the scorer was fitted on {scorer.backend} embeddings, the backend is "
            f"{backend.identity}: its features would mean something else"
        )
    return scorer


class FewShotEnforcer:
    """Judges items by their similarity to one policy's examples and criteria.

    Args:
        spec: The enforcer spec (kind `fewshot`).
        policy: The policy (default: resolved from the spec, see `resolve_fewshot_policy`).
        store: The store (for `params.community` or a published `policy@version`).
        workspace: Workspace root (relative paths).
    """

    def __init__(
        self,
        spec: EnforcerSpec,
        *,
        policy: Policy | None = None,
        store: Store | None = None,
        workspace: Path | None = None,
    ) -> None:
        self._spec = spec
        self.params = FewShotParams.model_validate(spec.params)
        self.policy = policy or resolve_fewshot_policy(
            spec, self.params, store=store, workspace=workspace
        )
        self.texts = PolicyTexts.of_policy(self.policy)
        if not self.texts.violating and len(self.texts.criteria) < 2:
            raise ConfigError(
                f"enforcer {spec.name!r}: policy {self.policy.id} has no violating example and "
                "no criterion to compare items with"
            )
        self.backend = get_backend(self.params.backend)
        self.scorer = _scorer_for(self.params, self.backend, workspace)
        self.prototypes = self._prototypes(workspace)

    def _prototypes(self, workspace: Path | None) -> Prototypes:
        p = self.params
        if p.artifact is not None:
            path = resolve_path(p.artifact, workspace)
            if path.is_file() and (
                p.artifact_sha256 is None or file_sha256(path) == p.artifact_sha256
            ):
                found, meta = load_prototypes(path)
                if (
                    meta.get("policy_sha256") == policy_content_hash(self.policy)
                    and meta.get("backend") == self.backend.identity
                ):
                    return found
        return embed_policy(self.policy, self.backend, batch_size=p.batch_size)[1]

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(P(violation), index of the closest criterion) of each text, in one batch."""
        rows = self.backend.encode(list(texts), batch_size=self.params.batch_size)
        if self.scorer is None:
            score = similarity_score(nearest_margin(rows, self.prototypes))
        else:
            features = similarity_features(rows, self.prototypes, k=self.params.k)
            score = self.scorer.predict(features, policy_shape(self.prototypes))
        crit = cosine(rows, self.prototypes.criteria[1:]) if len(self.texts.criteria) > 1 else None
        closest = crit.argmax(axis=1) if crit is not None else np.zeros(len(texts), dtype=int)
        if score.shape != (len(texts),) or not np.all(np.isfinite(score)):
            raise ValueError("few-shot scores of the wrong shape or not finite")
        return np.clip(score, 0.0, 1.0), closest

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch: one verdict per item, in order; failures are error verdicts."""
        if not items:
            return []
        start = time.perf_counter()
        texts = [item.text for item in items]
        results: list[tuple[float, int] | str]
        try:
            score, closest = self.scores(texts)
            results = [(float(s), int(c)) for s, c in zip(score, closest, strict=True)]
        except Exception:  # isolate the item that breaks the batch
            results = []
            for text in texts:
                try:
                    one, near = self.scores([text])
                    results.append((float(one[0]), int(near[0])))
                except Exception as exc:
                    results.append(f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - start) * 1000.0 / len(items)
        return [self._verdict(item, r, latency) for item, r in zip(items, results, strict=True)]

    def _verdict(self, item: Item, result: tuple[float, int] | str, latency_ms: float) -> Verdict:
        spec = self._spec
        if isinstance(result, str):
            failed = Verdict.failed(item.id, spec.policy, spec.ref, result)
            return failed.model_copy(update={"latency_ms": latency_ms})
        score, closest = result
        violating = score >= self.params.decision_threshold
        criteria = self.policy.violates
        fired = (criteria[closest].id,) if violating and closest < len(criteria) else ()
        how = "transfer scorer" if self.scorer is not None else "nearest-example margin"
        return Verdict(
            item_id=item.id,
            policy=spec.policy,
            enforcer=spec.ref,
            score=score,
            label="violating" if violating else "non_violating",
            action=action_for_score(score, spec.thresholds, item.community),
            criteria=fired,
            rationale=f"few-shot ({self.backend.name}, {how}) P(violation) = {score:.3f}",
            latency_ms=latency_ms,
        )


def create_fewshot_enforcer(
    spec: EnforcerSpec | Mapping[str, Any],
    *,
    policy: Policy | None = None,
    store: Store | None = None,
    workspace: Path | None = None,
) -> FewShotEnforcer:
    """Build a `FewShotEnforcer` from its spec (or its JSON form)."""
    spec = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
    return FewShotEnforcer(spec, policy=policy, store=store, workspace=workspace)


__all__ = ["FewShotEnforcer", "create_fewshot_enforcer", "resolve_fewshot_policy"]
