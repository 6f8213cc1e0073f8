"""The `classifier` kind: trained here, its model artifact hashed and pinned at registration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modgate.enforce._kinds import (
    EnforcerKind,
    PreparedSpec,
    TrainingJob,
    artifact_folder,
    check_inside_workspace,
    relative_path,
    resolve_path,
)
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.classifier._params import ClassifierParams
from modgate.errors import EnforcerError


def _with_params(spec: EnforcerSpec, params: ClassifierParams) -> EnforcerSpec:
    dumped = params.model_dump(mode="json", exclude_defaults=False)
    return spec.model_copy(update={"params": dumped, "version": None})


def _prepare_classifier(spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
    from modgate.enforce._artifact import file_sha256

    params = ClassifierParams.model_validate(spec.params)
    if params.artifact is None:
        raise EnforcerError(
            f"classifier {spec.name} has no trained model to register",
            hint=f"train it: modgate enforcer train enforcers/{spec.name}.yaml "
            "--golden NAME@VERSION",
        )
    path = resolve_path(params.artifact, workspace)
    check_inside_workspace(path, workspace, what=f"classifier {spec.name}: params.artifact")
    if not path.is_file():
        raise EnforcerError(f"classifier {spec.name}: model artifact {path} not found")
    sha = file_sha256(path)
    if params.artifact_sha256 is not None and params.artifact_sha256 != sha:
        raise EnforcerError(
            f"classifier {spec.name}: artifact {path} has sha256 {sha[:16]}…, the spec says "
            f"{params.artifact_sha256[:16]}…: refusing a changed artifact"
        )
    sidecar: dict[str, Any] = {}
    sidecar_path = path.with_suffix(".json")
    if sidecar_path.is_file():
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        if sidecar.get("sha256") not in (None, sha):
            raise EnforcerError(
                f"classifier {spec.name}: sidecar {sidecar_path} names another file"
            )
    relative = relative_path(path, workspace)
    resolved = params.model_copy(update={"artifact": relative, "artifact_sha256": sha})
    return PreparedSpec(
        spec=_with_params(spec, resolved),
        artifact_hash=sha,
        artifact_path=relative,
        data_hash=sidecar.get("data_hash"),
        metrics=dict(sidecar.get("dev_metrics") or {}),
    )


def _train_classifier_spec(spec: EnforcerSpec, job: TrainingJob) -> EnforcerSpec:
    from modgate.enforce._artifact import save_artifact
    from modgate.enforce.classifier._preprocess import PREPROCESSING
    from modgate.enforce.classifier._train import train_classifier

    params = ClassifierParams.model_validate(spec.params)
    trained = train_classifier(
        job.rows, profile=params.profile, dev_rows=job.dev_rows, **params.training_params()
    )
    metrics = trained.dev_metrics.model_dump(mode="json") if trained.dev_metrics else {}
    metrics["training_warnings"] = list(trained.warnings)  # kept with the version
    metrics["rows_per_class"] = trained.rows_per_class
    info = save_artifact(
        trained.model,
        artifact_folder(job.workspace, spec.name),
        meta={
            "enforcer": spec.name,
            "profile": params.profile,
            "data_hash": trained.data_hash,
            "n_train": trained.n_train,
            "n_dev": len(job.dev_rows),
            "dev_metrics": metrics,
            "training_source": job.training_source,
            "preprocessing": PREPROCESSING,
        },
    )
    trained_params = params.model_copy(
        update={
            "artifact": relative_path(info.path, job.workspace),
            "artifact_sha256": info.sha256,
        }
    )
    return _with_params(spec, trained_params)


def _build(spec: EnforcerSpec, context: Any) -> Any:
    from modgate.enforce.classifier._enforcer import create_classifier_enforcer

    return create_classifier_enforcer(spec, base_dir=context.workspace)


CLASSIFIER_KIND = EnforcerKind(
    name="classifier",
    build=_build,
    params_model=ClassifierParams,
    prepare=_prepare_classifier,
    train=_train_classifier_spec,
    summary="local text classifier (hashed n-grams + calibrated logistic regression)",
)
"""The `classifier` kind; scikit-learn loads only when one is trained or built."""

__all__ = ["CLASSIFIER_KIND"]
