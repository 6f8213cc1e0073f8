from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modgate.domain import Action, Item
from modgate.enforce import EnforcerSpec, EnforcerThresholds, load_artifact, save_artifact
from modgate.enforce.classifier import (
    ClassifierEnforcer,
    create_classifier_enforcer,
    train_classifier,
)
from modgate.errors import EnforcerError
from modgate.testing import check_enforcer

SPEC = EnforcerSpec(
    name="hate-clf", kind="classifier", policy="hate@1", version=2,
    params={"profile": "fast", "decision_threshold": 0.5},
    thresholds=EnforcerThresholds(remove=0.9, review=0.5, communities={"strict": {"remove": 0.2}}),
)  # fmt: skip


@pytest.fixture(scope="module")
def model(rows):
    return train_classifier(rows, n_features=2**12).model


def test_classifier_enforcer_passes_the_conformance_battery(model) -> None:
    check_enforcer(ClassifierEnforcer(SPEC, model))


def test_verdicts_carry_score_label_action_and_enforcer_ref(model) -> None:
    enforcer = ClassifierEnforcer(SPEC, model)
    items = [
        Item(id="a", body="all muslims are vermin and should leave"),
        Item(id="b", body="my women friends came over for dinner"),
        Item(id="c", body="my women friends came over for dinner", community="strict"),
    ]
    a, b, c = enforcer.predict(items)
    assert a.enforcer == "hate-clf@2" and a.policy == "hate@1"
    assert a.label == "violating" and a.action in (Action.REMOVE, Action.REVIEW)
    assert b.label == "non_violating" and b.action is Action.ALLOW
    expected = model.predict_proba([items[0].text])[0, 1]
    assert a.score == pytest.approx(expected)
    assert c.score == pytest.approx(b.score)
    assert c.action is (Action.REMOVE if c.score >= 0.2 else Action.ALLOW)


class _Exploding:
    """A model that fails on one poisoned text: the batch must go on."""

    def predict_proba(self, texts):
        if any("poison" in t for t in texts):
            raise RuntimeError("cannot featurize")
        return np.tile([0.8, 0.2], (len(texts), 1))


def test_a_failing_item_becomes_an_error_verdict_and_the_rest_are_judged() -> None:
    enforcer = ClassifierEnforcer(SPEC, _Exploding())
    verdicts = enforcer.predict([Item(id="a", body="fine"), Item(id="b", body="poison")])
    assert verdicts[0].error is None and verdicts[0].score == pytest.approx(0.2)
    assert verdicts[1].error is not None and "cannot featurize" in verdicts[1].error
    assert verdicts[1].action is Action.REVIEW
    check_enforcer(enforcer)


def test_factory_loads_a_hash_checked_artifact_and_refuses_a_tampered_one(
    model, tmp_path: Path
) -> None:
    info = save_artifact(model, tmp_path / "artifacts", meta={"data_hash": "x"})
    assert info.path.name == f"{info.sha256[:16]}.joblib"
    assert info.path.with_suffix(".json").is_file()
    params = {"artifact": str(info.path.relative_to(tmp_path)), "artifact_sha256": info.sha256}
    spec = SPEC.model_copy(update={"params": params})
    enforcer = create_classifier_enforcer(spec.model_dump(mode="json"), base_dir=tmp_path)
    assert enforcer.predict([Item(id="a", body="x")])[0].item_id == "a"
    data = bytearray(info.path.read_bytes())
    data[-1] ^= 0xFF
    info.path.write_bytes(bytes(data))
    with pytest.raises(EnforcerError, match="refusing to load a changed artifact"):
        create_classifier_enforcer(spec, base_dir=tmp_path)
    with pytest.raises(EnforcerError, match="refusing"):
        load_artifact(info.path, info.sha256)


def test_saving_the_same_model_twice_gives_the_same_hash(model, tmp_path: Path) -> None:
    first = save_artifact(model, tmp_path, meta={})
    second = save_artifact(model, tmp_path, meta={})
    assert first.sha256 == second.sha256


def test_untrained_spec_is_a_clear_error() -> None:
    with pytest.raises(EnforcerError, match="has no trained model") as caught:
        create_classifier_enforcer(SPEC)
    assert caught.value.hint and "modgate enforcer train" in caught.value.hint


def test_model_fitted_under_other_preprocessing_is_refused(model) -> None:
    import copy

    stale = copy.deepcopy(model)
    stale.preprocessing_ = "nfkc-casefold/0"
    with pytest.raises(EnforcerError, match="fitted with text preprocessing 'nfkc-casefold/0'"):
        ClassifierEnforcer(SPEC, stale)
