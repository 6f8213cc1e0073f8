"""The enforcer catalog: register specs as immutable versions, train, load enforcers.

A version is identified by the sha256 of its canonical spec, its artifact (model or predictions
file) and its training data; registering identical content returns the existing version.
Artifacts live in the workspace under `artifacts/enforcers/NAME/`, named by their hash, so a
registered version never changes under its hash. What each kind validates, pins or trains is
in its `EnforcerKind` record; the catalog itself has no per-kind code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from modgate.enforce._kinds import KindContext, TrainingJob, get_enforcer_kind
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce._repo import (
    EnforcerVersion,
    get_enforcer_version,
    insert_enforcer_version,
    verify_version_hashes,
)
from modgate.enforce._training_rows import TrainingRow
from modgate.errors import EnforcerError
from modgate.registry import Registry
from modgate.store import Store


class RegisterResult(BaseModel):
    """Outcome of registering or training an enforcer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: EnforcerVersion
    """The catalog version (new or existing)."""
    created: bool
    """False when identical content was already registered (nothing written)."""


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
    kind = get_enforcer_kind(spec.kind, registry)
    prepared = kind.prepare_spec(spec.model_copy(update={"version": None}), workspace)
    version, created = insert_enforcer_version(
        store,
        prepared.spec,
        actor=actor,
        artifact_hash=prepared.artifact_hash,
        data_hash=prepared.data_hash,
        artifact_path=prepared.artifact_path,
        metrics=dict(prepared.metrics),
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
    registry: Registry | None = None,
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
        registry: Where kinds are looked up (default: installed plugins).

    Returns:
        The registered version; identical spec and data give the existing version.

    Raises:
        EnforcerError: The spec is not a classifier, or the rows cannot train one.
    """
    kind = get_enforcer_kind(spec.kind, registry)
    if kind.train is None:
        raise EnforcerError(f"{spec.name}: kind {spec.kind!r} is not trained (register it instead)")
    if not rows:
        raise EnforcerError(f"{spec.name}: no training rows")
    job = TrainingJob(
        rows=rows, dev_rows=dev_rows, workspace=workspace, training_source=training_source
    )
    trained = kind.train(spec, job)
    return register_enforcer(store, trained, workspace=workspace, actor=actor, registry=registry)


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
        EnforcerError: Its artifact is missing or changed since registration, or its catalog
            row fails the hash cross-check (checked before any artifact is read).
    """
    version = get_enforcer_version(store, ref)
    verify_version_hashes(version)
    context = KindContext(workspace=workspace, store=store, registry=registry)
    return version, get_enforcer_kind(version.kind, registry).create(version.spec, context)


__all__ = [
    "RegisterResult",
    "load_enforcer",
    "register_enforcer",
    "train_enforcer",
]
