"""The `fewshot` kind: a policy enforced from its definition, criteria and examples alone.

Registration pins the `policy_file` (and a `scorer_file`) and writes the policy's example
embeddings as the version's artifact; building loads the embedding backend (first use).
"""

from __future__ import annotations

from pathlib import Path

from modgate.enforce._kinds import (
    EnforcerKind,
    KindContext,
    PreparedSpec,
    artifact_folder,
    check_inside_workspace,
    outside_files_allowed,
    pin_file,
    relative_path,
    resolve_path,
)
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce.fewshot._params import FewShotParams
from modgate.errors import ConfigError


def _pin(spec: EnforcerSpec, workspace: Path, field: str, value: str) -> tuple[str, str]:
    source = resolve_path(value, workspace)
    outside = outside_files_allowed(workspace)
    check_inside_workspace(source, workspace, allow_outside=outside, what=f"{spec.name}: {field}")
    if not source.is_file():
        raise ConfigError(f"{spec.name}: params.{field} {source} not found")
    return pin_file(source, workspace, spec.name, allow_outside=outside)


def _prepare(spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
    from modgate.enforce._artifact import file_sha256
    from modgate.enforce.fewshot._backends import get_backend
    from modgate.enforce.fewshot._enforcer import resolve_fewshot_policy
    from modgate.enforce.fewshot._prototypes import embed_policy, save_prototypes
    from modgate.policy import policy_content_hash

    params = FewShotParams.model_validate(spec.params)
    update: dict[str, object] = {}
    if params.scorer_file is not None:
        update["scorer_file"] = _pin(spec, workspace, "scorer_file", params.scorer_file)[1]
    if params.policy_file is None:  # a community's or a published policy: embedded on use
        updated = {**spec.params, **update}
        return PreparedSpec(spec=spec.model_copy(update={"params": updated, "version": None}))
    sha, pinned = _pin(spec, workspace, "policy_file", params.policy_file)
    update |= {"policy_file": pinned, "policy_sha256": sha}
    pinned_params = params.model_copy(update={"policy_file": pinned, "policy_sha256": sha})
    policy = resolve_fewshot_policy(spec, pinned_params, workspace=workspace)
    backend = get_backend(params.backend)
    _, prototypes = embed_policy(policy, backend, batch_size=params.batch_size)
    digest = policy_content_hash(policy)
    path = artifact_folder(workspace, spec.name) / f"fewshot-{digest[:16]}-{backend.name}.npz"
    save_prototypes(path, prototypes, policy_hash=digest, backend=backend.identity)
    artifact_sha = file_sha256(path)
    update |= {
        "backend": backend.name,  # `auto` resolved: the version names what it scores with
        "artifact": relative_path(path, workspace),
        "artifact_sha256": artifact_sha,
    }
    return PreparedSpec(
        spec=spec.model_copy(update={"params": {**spec.params, **update}, "version": None}),
        artifact_hash=artifact_sha,
        artifact_path=relative_path(path, workspace),
    )


def _build(spec: EnforcerSpec, context: KindContext) -> Enforcer:
    from modgate.enforce.fewshot._enforcer import FewShotEnforcer

    return FewShotEnforcer(spec, store=context.store, workspace=context.workspace)


FEWSHOT_KIND = EnforcerKind(
    name="fewshot",
    build=_build,
    params_model=FewShotParams,
    prepare=_prepare,
    summary="few-shot: sentence embeddings vs the policy's own examples and criteria, "
    "no training set",
)
"""The `fewshot` kind; the embedding library loads only when one is built."""

__all__ = ["FEWSHOT_KIND"]
