from __future__ import annotations

from pathlib import Path

import pytest

from modgate.domain import Item
from modgate.enforce import (
    EnforcerSpec,
    EnforcerThresholds,
    get_enforcer_version,
    list_enforcer_versions,
    load_enforcer,
    register_enforcer,
    train_enforcer,
)
from modgate.enforce._repo import parse_enforcer_ref
from modgate.errors import (
    EnforcerError,
    ModgateError,
    NotFoundError,
    RegistryError,
    ValidationError,
)
from modgate.store import Store, list_audit_events

from .conftest import synthetic_rows

CLF = EnforcerSpec(name="hate-clf", kind="classifier", policy="hate@1", params={"n_features": 4096})


def recorded_spec(path: str, name: str = "vendor") -> EnforcerSpec:
    return EnforcerSpec(name=name, kind="recorded", policy="hate@1", params={"path": path})


def test_training_registers_a_version_and_identical_content_returns_it(
    store: Store, tmp_path: Path, rows
) -> None:
    first = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="ana",
                           dev_rows=synthetic_rows(40, seed=3))  # fmt: skip
    assert first.created and first.version.ref == "hate-clf@1"
    assert first.version.data_hash and first.version.artifact_hash
    assert first.version.metrics["n"] == 40
    artifact = tmp_path / first.version.artifact_path
    assert artifact.is_file() and artifact.with_suffix(".json").is_file()
    again = train_enforcer(store, CLF, list(reversed(rows)), workspace=tmp_path, actor="bob",
                           dev_rows=synthetic_rows(40, seed=3))  # fmt: skip
    assert not again.created and again.version == first.version
    other = train_enforcer(store, CLF, rows[:-2], workspace=tmp_path, actor="ana")
    assert other.created and other.version.version == 2
    assert other.version.version_hash != first.version.version_hash
    events = list_audit_events(store, action="enforcer.register")
    assert [e.object_id for e in events] == ["hate-clf@2", "hate-clf@1"]
    assert events[1].actor == "ana" and events[1].details["data_hash"] == first.version.data_hash


def test_threshold_change_is_a_new_version_with_the_same_artifact(
    store: Store, tmp_path: Path, rows
) -> None:
    first = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="ana").version
    tuned = first.spec.model_copy(update={"thresholds": EnforcerThresholds(remove=0.7)})
    second = register_enforcer(store, tuned, workspace=tmp_path, actor="ana").version
    assert second.version == 2 and second.artifact_hash == first.artifact_hash
    assert second.data_hash == first.data_hash  # read back from the sidecar


def test_load_enforcer_rebuilds_the_version_and_checks_the_artifact(
    store: Store, tmp_path: Path, rows
) -> None:
    version = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="ana").version
    loaded_version, enforcer = load_enforcer(store, "hate-clf", workspace=tmp_path)
    assert loaded_version == version and enforcer.spec.ref == "hate-clf@1"
    verdict = enforcer.predict([Item(id="x", body="all jews are vermin and should leave")])[0]
    assert verdict.enforcer == "hate-clf@1" and verdict.label == "violating"
    (tmp_path / version.artifact_path).write_bytes(b"not the model")
    with pytest.raises(EnforcerError, match="refusing to load a changed artifact"):
        load_enforcer(store, "hate-clf@1", workspace=tmp_path)


def test_recorded_file_is_validated_hashed_and_copied(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "vendor.csv"
    source.write_text("item_id,score\na,0.9\nb,0.2\n")
    result = register_enforcer(store, recorded_spec("vendor.csv"), workspace=tmp_path, actor="ana")
    version = result.version
    assert version.artifact_path.startswith("artifacts/enforcers/vendor/")
    assert version.spec.params["sha256"] == version.artifact_hash
    source.write_text("item_id,score\na,0.1\n")  # editing the source does not touch the version
    _, enforcer = load_enforcer(store, "vendor@1", workspace=tmp_path)
    assert enforcer.predict([Item(id="a")])[0].score == 0.9
    changed = register_enforcer(store, recorded_spec("vendor.csv"), workspace=tmp_path, actor="a")
    assert changed.created and changed.version.version == 2
    (tmp_path / version.artifact_path).write_text("item_id,score\na,0.0\n")
    with pytest.raises(EnforcerError, match="refusing a changed file"):
        load_enforcer(store, "vendor@1", workspace=tmp_path)


def test_bad_recorded_file_registers_nothing(store: Store, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("item_id,score\na,2\n")
    with pytest.raises(ValidationError, match="bad.csv:2: score"):
        register_enforcer(store, recorded_spec("bad.csv"), workspace=tmp_path, actor="ana")
    assert list_enforcer_versions(store) == []


def test_unknown_kind_and_untrained_classifier_are_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="unknown enforcer kind 'nope'"):
        register_enforcer(store, CLF.model_copy(update={"kind": "nope"}), workspace=tmp_path,
                          actor="a")  # fmt: skip
    with pytest.raises(EnforcerError, match="no trained model"):
        register_enforcer(store, CLF, workspace=tmp_path, actor="a")


def test_lookup_errors_name_known_versions(store: Store, tmp_path: Path) -> None:
    (tmp_path / "v.csv").write_text("item_id,score\na,0.9\n")
    register_enforcer(store, recorded_spec("v.csv"), workspace=tmp_path, actor="a")
    with pytest.raises(NotFoundError) as caught:
        get_enforcer_version(store, "vendor@7")
    assert caught.value.hint == "known versions: vendor@1"
    with pytest.raises(NotFoundError, match="no enforcer 'ghost'"):
        get_enforcer_version(store, "ghost")
    assert [v.ref for v in list_enforcer_versions(store, name="vendor")] == ["vendor@1"]


@pytest.mark.parametrize("ref", ["x@0", "x@a", "@1"])
def test_malformed_refs_are_refused(ref: str) -> None:
    with pytest.raises(ValidationError):
        parse_enforcer_ref(ref)


def test_rules_spec_inlines_its_rule_set_so_the_version_cannot_drift(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "rules").mkdir()
    ruleset = tmp_path / "rules" / "threats.yaml"
    ruleset.write_text("policy: violence@1\nrules:\n  - id: t\n    keywords: [kill you]\n")
    spec = EnforcerSpec(
        name="threats", kind="rules", policy="violence@1", params={"ruleset": "rules/threats.yaml"}
    )
    first = register_enforcer(store, spec, workspace=tmp_path, actor="a").version
    assert "rules" in first.spec.params and "ruleset" not in first.spec.params
    assert first.artifact_path == "rules/threats.yaml" and first.artifact_hash
    ruleset.write_text("policy: violence@1\nrules:\n  - id: t\n    keywords: [hug you]\n")
    _, enforcer = load_enforcer(store, "threats@1", workspace=tmp_path)
    assert enforcer.predict([Item(id="x", body="I will kill you")])[0].label == "violating"
    second = register_enforcer(store, spec, workspace=tmp_path, actor="a")
    assert second.created and second.version.version == 2
    again = register_enforcer(store, spec, workspace=tmp_path, actor="a")
    assert not again.created
    ruleset.write_text("rules: [\n")
    with pytest.raises(
        ModgateError, match=r"threats.yaml:2:1: invalid YAML: expected the node content"
    ):
        register_enforcer(store, spec, workspace=tmp_path, actor="a")


class _StoreAwareKind:
    """A kind that, like the LLM judge, asks for the store (its response cache lives there)."""

    def __init__(self, spec: EnforcerSpec, store: Store | None = None) -> None:
        self._spec = spec
        self.store = store

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: list[Item]) -> list[object]:
        return []


def test_load_enforcer_hands_kinds_the_context_they_ask_for(store: Store, tmp_path: Path) -> None:
    from modgate.enforce import EnforcerKind
    from modgate.registry import Registry

    registry = Registry()
    kind = EnforcerKind(
        "store_aware", build=lambda spec, context: _StoreAwareKind(spec, store=context.store)
    )
    registry.register("enforcer", "store_aware", kind)
    spec = EnforcerSpec(name="judge", kind="store_aware", policy="hate@1")
    register_enforcer(store, spec, workspace=tmp_path, actor="ana", registry=registry)
    _, enforcer = load_enforcer(store, "judge@1", workspace=tmp_path, registry=registry)
    assert isinstance(enforcer, _StoreAwareKind)
    assert enforcer.store is store


class _Planted:
    """Unpickling this creates the file `path` (stands in for any code a pickle can run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def _plant_pickle(store: Store, workspace: Path, ref_version: int, columns: set[str]) -> Path:
    """Point a registered classifier's row at a malicious pickle, editing only `columns`."""
    import hashlib
    import pickle

    from sqlalchemy import update

    from modgate.enforce._repo import spec_hash, version_hash
    from modgate.store import enforcer_versions

    marker = workspace / "pwned"
    evil = workspace / "artifacts" / "enforcers" / "hate-clf" / "evil.joblib"
    evil.write_bytes(pickle.dumps(_Planted(marker)))
    sha = hashlib.sha256(evil.read_bytes()).hexdigest()
    version = get_enforcer_version(store, f"hate-clf@{ref_version}")
    params = {**version.spec.params, "artifact": str(evil), "artifact_sha256": sha}
    spec = version.spec.model_copy(update={"params": params})
    values: dict[str, object] = {"artifact_hash": sha, "artifact_path": str(evil)}
    values["spec"] = spec.model_dump(mode="json", exclude={"version"})
    if "spec_hash" in columns:
        values["spec_hash"] = spec_hash(spec)
    if "version_hash" in columns:
        values["version_hash"] = version_hash(spec_hash(spec), sha, version.data_hash)
    with store.begin() as conn:
        conn.execute(
            update(enforcer_versions).where(enforcer_versions.c.name == "hate-clf").values(**values)
        )
    return marker


@pytest.mark.parametrize(
    "columns", [set(), {"spec_hash"}], ids=["spec_and_artifact_hash", "spec_hash_too"]
)
def test_tampered_hash_columns_refuse_to_unpickle(
    store: Store, tmp_path: Path, rows, columns: set[str]
) -> None:
    train_enforcer(store, CLF, rows, workspace=tmp_path, actor="ana")
    marker = _plant_pickle(store, tmp_path, 1, columns)
    with pytest.raises(EnforcerError, match="hash check"):
        load_enforcer(store, "hate-clf@1", workspace=tmp_path)
    assert not marker.exists(), "the planted pickle ran"


def test_untampered_version_still_loads(store: Store, tmp_path: Path, rows) -> None:
    train_enforcer(store, CLF, rows, workspace=tmp_path, actor="ana")
    version, enforcer = load_enforcer(store, "hate-clf@1", workspace=tmp_path)
    assert enforcer.predict([Item(id="a", body="hello there")])[0].enforcer == version.ref


def test_files_outside_the_workspace_need_the_setting_for_every_kind(
    store: Store, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    predictions = tmp_path / "vendor.csv"
    predictions.write_text("item_id,label,score\na,violating,0.9\n", encoding="utf-8")
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text("rules:\n  - id: k\n    keywords: ['zzz']\n", encoding="utf-8")
    specs = [
        recorded_spec(str(predictions)),
        EnforcerSpec(name="r", kind="rules", policy="hate@1", params={"ruleset": str(ruleset)}),
        EnforcerSpec(
            name="c", kind="classifier", policy="hate@1", params={"artifact": str(predictions)}
        ),  # fmt: skip
    ]
    for spec in specs:
        with pytest.raises(ModgateError, match="outside the workspace"):
            register_enforcer(store, spec, workspace=workspace, actor="ana")
    (workspace / "modgate.toml").write_text(
        "[modgate]\nallow_files_outside_workspace = true\n", encoding="utf-8"
    )
    assert register_enforcer(store, specs[1], workspace=workspace, actor="ana").created
