"""Every built-in kind registers through the plugin hooks, round-trips through its Spec and
passes the conformance battery."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate.enforce import EnforcerSpec, builtin_enforcer_kinds, save_artifact, train_classifier
from modgate.registry import create_registry
from modgate.testing import check_enforcer, probe_items


def _classifier_spec(tmp_path: Path, rows) -> EnforcerSpec:
    info = save_artifact(train_classifier(rows, n_features=4096).model, tmp_path, meta={})
    params = {"artifact": str(info.path), "artifact_sha256": info.sha256}
    return EnforcerSpec(name="c", kind="classifier", policy="p@1", params=params, version=1)


def _recorded_spec(tmp_path: Path, rows) -> EnforcerSpec:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(f'{{"id": "{i.id}", "score": 0.7}}\n' for i in probe_items()[:5]))
    return EnforcerSpec(
        name="r", kind="recorded", policy="p@1", params={"path": str(path)}, version=1
    )


BUILDERS = {"classifier": _classifier_spec, "recorded": _recorded_spec}


@pytest.mark.parametrize("kind", sorted(builtin_enforcer_kinds()))
def test_builtin_kind_round_trips_through_its_spec_and_conforms(kind, tmp_path, rows) -> None:
    if kind not in BUILDERS:
        pytest.skip(f"kind {kind!r} is tested by its own module")
    spec = BUILDERS[kind](tmp_path, rows)
    registry = create_registry()
    assert kind in registry.names("enforcer")
    enforcer = registry.create(spec.to_registry_spec())
    assert enforcer.spec == spec
    check_enforcer(enforcer)
