"""The enforcer catalog: register specs as immutable versions, train classifiers, load enforcers.

A version is identified by the sha256 of its canonical spec, its artifact (model or predictions
file) and its training data; registering identical content returns the existing version.
Artifacts live in the workspace under `artifacts/enforcers/NAME/`, named by their hash, so a
registered version never changes under its hash.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.enforce._artifact import file_sha256, save_artifact
from modgate.enforce._factory_context import accepted_keywords
from modgate.enforce._params import ClassifierParams, RecordedParams
from modgate.enforce._preprocess import PREPROCESSING
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce._recorded import read_recorded_predictions
from modgate.enforce._repo import EnforcerVersion, get_enforcer_version, insert_enforcer_version
from modgate.enforce._ruleset_load import load_ruleset
from modgate.enforce._train import TrainingRow, train_classifier
from modgate.errors import EnforcerError, RegistryError, ValidationError
from modgate.registry import Registry, create_registry
from modgate.store import Store

ARTIFACTS_FOLDER = Path("artifacts") / "enforcers"


class RegisterResult(BaseModel):
    """Outcome of registering or training an enforcer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: EnforcerVersion
    """The catalog version (new or existing)."""
    created: bool
    """False when identical content was already registered (nothing written)."""


def artifact_folder(workspace: Path, name: str) -> Path:
    """Folder holding an enforcer's artifacts inside a workspace."""
    return workspace / ARTIFACTS_FOLDER / name


def _resolve(path: str, workspace: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else workspace / candidate


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _with_params(spec: EnforcerSpec, params: BaseModel) -> EnforcerSpec:
    dumped = params.model_dump(mode="json", exclude_defaults=False)
    return spec.model_copy(update={"params": dumped, "version": None})


def _prepare_classifier(
    spec: EnforcerSpec, workspace: Path
) -> tuple[EnforcerSpec, str, str, str | None, dict[str, Any]]:
    params = ClassifierParams.model_validate(spec.params)
    if params.artifact is None:
        raise EnforcerError(
            f"classifier {spec.name} has no trained model to register",
            hint=f"train it: modgate enforcer train enforcers/{spec.name}.yaml "
            "--golden NAME@VERSION",
        )
    path = _resolve(params.artifact, workspace)
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
    relative = _relative(path, workspace)
    resolved = params.model_copy(update={"artifact": relative, "artifact_sha256": sha})
    return (
        _with_params(spec, resolved),
        sha,
        relative,
        sidecar.get("data_hash"),
        dict(sidecar.get("dev_metrics") or {}),
    )


def _prepare_recorded(spec: EnforcerSpec, workspace: Path) -> tuple[EnforcerSpec, str, str]:
    params = RecordedParams.model_validate(spec.params)
    source = _resolve(params.path, workspace)
    predictions = read_recorded_predictions(source, spec.policy)  # validates every row
    if not predictions:
        raise ValidationError(f"predictions file {source} has no row for policy {spec.policy}")
    sha = file_sha256(source)
    if params.sha256 is not None and params.sha256 != sha:
        raise EnforcerError(
            f"predictions file {source} has sha256 {sha[:16]}…, the spec says {params.sha256[:16]}…"
        )
    suffix = "".join(source.suffixes[-2:]) if source.name.endswith(".gz") else source.suffix
    target = artifact_folder(workspace, spec.name) / f"{sha[:16]}{suffix}"
    if not target.exists() or file_sha256(target) != sha:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    relative = _relative(target, workspace)
    resolved = params.model_copy(update={"path": relative, "sha256": sha})
    return _with_params(spec, resolved), sha, relative


def _prepare_rules(
    spec: EnforcerSpec, workspace: Path
) -> tuple[EnforcerSpec, str | None, str | None]:
    # A rule set named by path is inlined, so the version (hashed over its spec) holds the
    # rules themselves: editing rules/NAME.yaml later cannot change a registered version.
    if "ruleset" not in spec.params or "rules" in spec.params:
        return spec, None, None
    source = _resolve(str(spec.params["ruleset"]), workspace)
    compiled = load_ruleset(source)  # every problem reported with file:line
    params = {k: v for k, v in spec.params.items() if k not in ("ruleset", "base_dir")}
    params["rules"] = compiled.ruleset.model_dump(mode="json", exclude_none=True)
    params["ruleset_source"] = _relative(source, workspace)
    sha = file_sha256(source)
    params["ruleset_sha256"] = sha
    inlined = spec.model_copy(update={"params": params, "version": None})
    return inlined, sha, params["ruleset_source"]


def register_enforcer(
    store: Store,
    spec: EnforcerSpec,
    *,
    workspace: Path,
    actor: str,
    registry: Registry | None = None,
) -> RegisterResult:
    """Register a spec as a catalog version (or find the identical existing one).

    `classifier` specs must name a trained artifact (training registers for you);
    `recorded` specs have their predictions file validated, hashed and copied into the
    workspace's artifact folder; `rules` specs naming a rule set file have it validated and
    inlined. Other kinds are registered by their spec alone.

    Args:
        store: The store.
        spec: The spec (its `version` is ignored: the catalog numbers versions).
        workspace: Workspace root (artifact paths are relative to it).
        actor: Who registers, for the audit log.
        registry: Kinds to check the spec's kind against (default: installed plugins).

    Raises:
        RegistryError: The kind is unknown.
        EnforcerError: The artifact is missing or its hash differs from the spec's.
        ValidationError: A recorded predictions file has bad rows.
    """
    kinds = (registry or create_registry()).names("enforcer")
    if spec.kind not in kinds:
        raise RegistryError(
            f"unknown enforcer kind {spec.kind!r} (known: {', '.join(kinds) or 'none'})"
        )
    artifact_hash: str | None = None
    artifact_path: str | None = None
    data_hash: str | None = None
    metrics: dict[str, Any] = {}
    spec = spec.model_copy(update={"version": None})
    if spec.kind == "classifier":
        spec, artifact_hash, artifact_path, data_hash, metrics = _prepare_classifier(
            spec, workspace
        )
    elif spec.kind == "recorded":
        spec, artifact_hash, artifact_path = _prepare_recorded(spec, workspace)
    elif spec.kind == "rules":
        spec, artifact_hash, artifact_path = _prepare_rules(spec, workspace)
    version, created = insert_enforcer_version(
        store,
        spec,
        actor=actor,
        artifact_hash=artifact_hash,
        data_hash=data_hash,
        artifact_path=artifact_path,
        metrics=metrics,
    )
    return RegisterResult(version=version, created=created)


def train_enforcer(
    store: Store,
    spec: EnforcerSpec,
    rows: Sequence[TrainingRow],
    *,
    workspace: Path,
    actor: str,
    dev_rows: Sequence[TrainingRow] = (),
    training_source: str = "",
) -> RegisterResult:
    """Train a `classifier` spec on rows, save the artifact with its hashes, register it.

    Args:
        store: The store.
        spec: A spec of kind `classifier`.
        rows: Training rows (text, label, weight) — e.g. a frozen train split plus the
            policy's own examples; the caller fetches them (`enforce` knows no golden sets).
        workspace: Workspace root; the artifact goes to `artifacts/enforcers/NAME/`.
        actor: Who trains, for the audit log.
        dev_rows: Held-out rows whose metrics are stored with the artifact and the version.
        training_source: Where the rows came from (e.g. `golden:hate@3:train`), kept in the
            sidecar.

    Returns:
        The registered version; identical spec and data give the existing version.

    Raises:
        EnforcerError: The spec is not a classifier, or the rows cannot train one.
    """
    if spec.kind != "classifier":
        raise EnforcerError(f"{spec.name}: only kind 'classifier' is trained, not {spec.kind!r}")
    if not rows:
        raise EnforcerError(f"{spec.name}: no training rows")
    params = ClassifierParams.model_validate(spec.params)
    trained = train_classifier(
        rows, profile=params.profile, dev_rows=dev_rows, **params.training_params()
    )
    metrics = trained.dev_metrics.model_dump(mode="json") if trained.dev_metrics else {}
    metrics["training_warnings"] = list(trained.warnings)  # kept with the version
    metrics["rows_per_class"] = trained.rows_per_class
    info = save_artifact(
        trained.model,
        artifact_folder(workspace, spec.name),
        meta={
            "enforcer": spec.name,
            "profile": params.profile,
            "data_hash": trained.data_hash,
            "n_train": trained.n_train,
            "n_dev": len(dev_rows),
            "dev_metrics": metrics,
            "training_source": training_source,
            "preprocessing": PREPROCESSING,
        },
    )
    trained_params = params.model_copy(
        update={"artifact": _relative(info.path, workspace), "artifact_sha256": info.sha256}
    )
    return register_enforcer(
        store, _with_params(spec, trained_params), workspace=workspace, actor=actor
    )


def load_enforcer(
    store: Store, ref: str, *, workspace: Path, registry: Registry | None = None
) -> tuple[EnforcerVersion, Enforcer]:
    """Re-create a registered enforcer version from the catalog.

    Args:
        store: The store.
        ref: `name@version`, or `name` for the latest version.
        workspace: Workspace root (artifacts are relative to it).
        registry: Where kinds are looked up (default: installed plugins).

    Returns:
        The catalog version and the enforcer.

    Raises:
        NotFoundError: No such version.
        RegistryError: Its kind is not installed.
        EnforcerError: Its artifact is missing or changed since registration.
    """
    version = get_enforcer_version(store, ref)
    factory = (registry or create_registry()).get("enforcer", version.kind)
    context: dict[str, Any] = {"base_dir": workspace, "store": store}
    enforcer = factory(spec=version.spec, **accepted_keywords(factory, context))
    if not isinstance(enforcer, Enforcer):
        raise EnforcerError(f"kind {version.kind!r} did not build an Enforcer for {version.ref}")
    return version, enforcer


__all__ = [
    "ARTIFACTS_FOLDER",
    "RegisterResult",
    "artifact_folder",
    "load_enforcer",
    "register_enforcer",
    "train_enforcer",
]
