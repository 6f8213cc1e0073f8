"""An enforcer kind as one typed record: how it is built, validated, hashed and observed.

Every kind — built-in or a plugin's — is an `EnforcerKind` registered through the
`register_enforcers` hook. The catalog, the spec loader, the cascade and evaluation read
everything they need about a kind from its record, so a plugin kind gets parameter validation
and artifact hashing with no code of its own beyond the record.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce._artifact import file_sha256
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce._training_rows import TrainingRow
from modgate.errors import ConfigError, EnforcerError, RegistryError
from modgate.registry import Registry, create_registry

if TYPE_CHECKING:
    from modgate.store import Store

ARTIFACTS_FOLDER = Path("artifacts") / "enforcers"
ENFORCER = "enforcer"
"""Registry kind under which enforcer kinds register."""


@dataclass(frozen=True)
class KindContext:
    """What a kind may ask for when it is built: the store and the workspace.

    Attributes:
        workspace: Workspace root; relative artifact paths start here.
        store: The store (the LLM judge keeps its response cache and run records there).
        registry: The registry stages of composite kinds (the cascade) are built from.
        environ: Environment variables kinds read (endpoint URLs, key names); None means
            the process environment.
    """

    workspace: Path | None = None
    store: Store | None = None
    registry: Registry | None = None
    environ: Mapping[str, str] | None = None


@dataclass(frozen=True)
class PreparedSpec:
    """A spec made ready for registration: artifacts validated, hashed and pinned.

    Attributes:
        spec: The spec to store (paths rewritten to the pinned copies, hashes filled in).
        artifact_hash: sha256 of the artifact the version depends on, if any.
        artifact_path: Workspace-relative path of that artifact.
        data_hash: Hash of the training data, for trained kinds.
        metrics: Dev metrics measured at training, stored with the version.
    """

    spec: EnforcerSpec
    artifact_hash: str | None = None
    artifact_path: str | None = None
    data_hash: str | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)


Build = Callable[[EnforcerSpec, KindContext], Enforcer]
Prepare = Callable[[EnforcerSpec, Path], PreparedSpec]


@dataclass(frozen=True)
class TrainingJob:
    """What a trainable kind is asked to fit.

    Attributes:
        rows: Training rows (text, label, weight).
        dev_rows: Held-out rows whose metrics are stored with the version.
        workspace: Workspace root; the artifact goes under `artifacts/enforcers/NAME/`.
        training_source: Where the rows came from (e.g. `golden:hate@3:train`).
    """

    rows: Sequence[TrainingRow]
    dev_rows: Sequence[TrainingRow]
    workspace: Path
    training_source: str = ""


Train = Callable[[EnforcerSpec, TrainingJob], EnforcerSpec]
"""Fits a spec and returns it with its artifact params set, ready to register."""


@dataclass(frozen=True)
class EnforcerKind:
    """One enforcer kind, described once.

    Attributes:
        name: Registry name (snake_case; plugins `package/name`).
        build: Builds an enforcer from a registered spec and the context it asks for.
        params_model: Pydantic model of the spec's `params` (validated at load and
            registration); None keeps params free-form.
        prepare: Registration step that validates, hashes and pins the spec's artifacts;
            None uses the generic one (`artifact_param` below, or the spec alone).
        artifact_param: Name of the param holding an artifact file path: the generic
            registration step hashes that file, copies it under `artifacts/enforcers/NAME/`
            and rewrites the param to the copy.
        train: Fits the kind on rows (`enforcer train`); None: not trainable.
        summary: One line for `modgate enforcer kinds` and the docs.
    """

    name: str
    build: Build
    params_model: type[BaseModel] | None = None
    prepare: Prepare | None = None
    artifact_param: str | None = None
    train: Train | None = None
    summary: str = ""

    def validate_params(self, spec: EnforcerSpec) -> BaseModel | None:
        """The spec's params as this kind's model (None when params are free-form).

        Raises:
            ConfigError: The params do not fit the model; the message names each field.
        """
        if self.params_model is None:
            return None
        try:
            return self.params_model.model_validate(spec.params)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"params.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{self.name} enforcer {spec.name!r}: {problems}") from exc

    def prepare_spec(self, spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
        """Validate the spec and pin its artifacts for registration."""
        self.validate_params(spec)
        if self.prepare is not None:
            return self.prepare(spec, workspace)
        if self.artifact_param is not None:
            return pin_artifact_param(spec, workspace, self.artifact_param)
        return PreparedSpec(spec=spec)

    def create(self, spec: EnforcerSpec, context: KindContext | None = None) -> Enforcer:
        """Build an enforcer of this kind.

        Raises:
            EnforcerError: The kind built something that is not an `Enforcer`.
        """
        if spec.kind != self.name:
            raise RegistryError(f"spec {spec.name!r} is of kind {spec.kind!r}, not {self.name!r}")
        self.validate_params(spec)
        enforcer = self.build(spec, context or KindContext())
        if not isinstance(enforcer, Enforcer):
            raise EnforcerError(f"kind {self.name!r} did not build an Enforcer for {spec.ref}")
        return enforcer


def artifact_folder(workspace: Path, name: str) -> Path:
    """Folder holding an enforcer's artifacts inside a workspace."""
    return workspace / ARTIFACTS_FOLDER / name


def resolve_path(path: str, workspace: Path | None) -> Path:
    """A spec path: absolute as given, relative to the workspace otherwise."""
    candidate = Path(path)
    if candidate.is_absolute() or workspace is None:
        return candidate
    return workspace / candidate


def relative_path(path: Path, workspace: Path) -> str:
    """`path` relative to the workspace when inside it, else absolute (POSIX form)."""
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def outside_files_allowed(workspace: Path) -> bool:
    """The workspace's `allow_files_outside_workspace` setting (modgate.toml, MODGATE_*)."""
    from modgate.config import load_settings

    return load_settings(workspace=workspace).allow_files_outside_workspace


def check_inside_workspace(
    path: Path, workspace: Path, *, what: str, allow_outside: bool | None = None
) -> None:
    """Refuse a file a spec names outside the workspace, unless the setting allows it.

    Symlinks are resolved first: a link inside the workspace to `/etc/passwd` is outside.

    Args:
        path: The file.
        workspace: Workspace root.
        what: What names the file, for the message (`NAME: params.prompt_file`).
        allow_outside: The setting's value; None reads it from the workspace's settings.

    Raises:
        ConfigError: The file is outside the workspace and the setting is off.
    """
    try:
        path.resolve().relative_to(workspace.resolve())
    except ValueError:
        allowed = outside_files_allowed(workspace) if allow_outside is None else allow_outside
        if not allowed:
            raise ConfigError(
                f"{what} {path} is outside the workspace {workspace}",
                hint="move the file into the workspace, or set allow_files_outside_workspace "
                "= true in modgate.toml",
            ) from None


def pin_file(
    source: Path, workspace: Path, enforcer: str, *, allow_outside: bool | None = None
) -> tuple[str, str]:
    """Copy a file a spec names into the enforcer's artifact folder, named by its hash.

    Returns:
        (sha256, workspace-relative path of the copy).

    Raises:
        ConfigError: The file is outside the workspace (and the setting does not allow it).
        EnforcerError: The file does not exist.
    """
    check_inside_workspace(source, workspace, what=f"{enforcer}:", allow_outside=allow_outside)
    if not source.is_file():
        raise EnforcerError(f"{enforcer}: file {source} not found")
    sha = file_sha256(source)
    suffix = "".join(source.suffixes[-2:]) if source.name.endswith(".gz") else source.suffix
    target = artifact_folder(workspace, enforcer) / f"{sha[:16]}{suffix}"
    if not target.exists() or file_sha256(target) != sha:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return sha, relative_path(target, workspace)


def pin_artifact_param(spec: EnforcerSpec, workspace: Path, param: str) -> PreparedSpec:
    """The generic registration step: hash and pin the file named by `params[param]`.

    Raises:
        EnforcerError: The param is missing, not a path, or the file does not exist.
    """
    value = spec.params.get(param)
    if not isinstance(value, str) or not value:
        raise EnforcerError(f"{spec.name}: params.{param} must name the artifact file")
    sha, pinned = pin_file(resolve_path(value, workspace), workspace, spec.name)
    params = {**spec.params, param: pinned}
    return PreparedSpec(
        spec=spec.model_copy(update={"params": params, "version": None}),
        artifact_hash=sha,
        artifact_path=pinned,
    )


def enforcer_kinds(registry: Registry | None = None) -> dict[str, EnforcerKind]:
    """Every registered enforcer kind by name (default: the process's registry)."""
    registry = registry or default_registry()
    return {name: registry.get(ENFORCER, name, EnforcerKind) for name in registry.names(ENFORCER)}


def get_enforcer_kind(name: str, registry: Registry | None = None) -> EnforcerKind:
    """The enforcer kind registered under `name`.

    Raises:
        RegistryError: No such kind; the message lists the known ones.
    """
    registry = registry or default_registry()
    known = registry.names(ENFORCER)
    if name not in known:
        raise RegistryError(f"unknown enforcer kind {name!r} (known: {', '.join(known) or 'none'})")
    return registry.get(ENFORCER, name, EnforcerKind)


def create_enforcer(
    spec: EnforcerSpec, context: KindContext | None = None, *, registry: Registry | None = None
) -> Enforcer:
    """Build the enforcer a spec describes, through its kind's record.

    Raises:
        RegistryError: The spec's kind is not installed.
        ConfigError: Its params do not fit the kind.
    """
    context = context or KindContext()
    registry = registry or context.registry
    return get_enforcer_kind(spec.kind, registry).create(spec, context)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of installed plugins (built-ins included), built once per process."""
    return create_registry()


__all__ = [
    "ARTIFACTS_FOLDER",
    "ENFORCER",
    "EnforcerKind",
    "KindContext",
    "PreparedSpec",
    "TrainingJob",
    "artifact_folder",
    "check_inside_workspace",
    "create_enforcer",
    "default_registry",
    "enforcer_kinds",
    "get_enforcer_kind",
    "outside_files_allowed",
    "pin_artifact_param",
    "pin_file",
    "relative_path",
    "resolve_path",
]
