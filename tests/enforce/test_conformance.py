"""Every enforcer kind — each built-in and the test kit's plugin example — passes the whole
conformance battery, including the spec round trip, through `parametrize_with_checks`.

No kind is skipped: `test_every_installed_kind_is_in_the_battery` fails when a kind is added
without a builder here.
"""

from __future__ import annotations

import atexit
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from modgate.enforce import (
    Enforcer,
    EnforcerSpec,
    KindContext,
    create_enforcer,
    enforcer_kinds,
    save_artifact,
)
from modgate.enforce.classifier import train_classifier
from modgate.registry import Registry, create_registry
from modgate.testing import (
    KEYWORD_KIND,
    FakeLLMServer,
    keyword_judge,
    parametrize_with_checks,
    probe_items,
    run_check,
)
from tests.enforce.conftest import synthetic_rows

RULES = {"rules": [{"id": "threat", "action": "remove", "keywords": ["kill"], "regex": ["1d10t"]}]}


@cache
def _folder() -> Path:
    folder = tempfile.TemporaryDirectory(prefix="modgate-conformance-")
    atexit.register(folder.cleanup)
    return Path(folder.name)


@cache
def _llm_server() -> FakeLLMServer:
    server = FakeLLMServer(keyword_judge(["kill", "idiot"])).start()
    atexit.register(server.stop)
    return server


def _llm_params() -> dict[str, object]:
    return {"model": "fake-judge", "base_url": _llm_server().base_url, "prompt": "Policy P."}


def _rules() -> tuple[Enforcer, KindContext | None]:
    spec = EnforcerSpec(name="r", kind="rules", policy="p@1", params={"rules": RULES}, version=1)
    return create_enforcer(spec), None


def _classifier() -> tuple[Enforcer, KindContext | None]:
    info = save_artifact(
        train_classifier(synthetic_rows(), n_features=4096).model, _folder(), meta={}
    )
    params = {"artifact": info.path.name, "artifact_sha256": info.sha256}
    spec = EnforcerSpec(name="c", kind="classifier", policy="p@1", params=params, version=1)
    context = KindContext(workspace=_folder())
    return create_enforcer(spec, context), context


def _fewshot() -> tuple[Enforcer, KindContext | None]:
    import yaml

    from tests.enforce.test_fewshot import POLICY

    (_folder() / "fewshot-policy.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    params = {"policy_file": "fewshot-policy.yaml"}
    spec = EnforcerSpec(name="fs", kind="fewshot", policy="spam@1", params=params, version=1)
    context = KindContext(workspace=_folder())
    return create_enforcer(spec, context), context


def _recorded() -> tuple[Enforcer, KindContext | None]:
    path = _folder() / "predictions.jsonl"
    path.write_text("".join(f'{{"id": "{i.id}", "score": 0.7}}\n' for i in probe_items()[:5]))
    spec = EnforcerSpec(
        name="rec", kind="recorded", policy="p@1", params={"path": path.name}, version=1
    )
    context = KindContext(workspace=_folder())
    return create_enforcer(spec, context), context


def _llm() -> tuple[Enforcer, KindContext | None]:
    spec = EnforcerSpec(name="judge", kind="llm", policy="p@1", params=_llm_params(), version=1)
    context = KindContext(environ={})
    return create_enforcer(spec, context), context


def _cascade() -> tuple[Enforcer, KindContext | None]:
    stages = [
        {"spec": {"name": "r", "kind": "rules", "policy": "p@1", "params": {"rules": RULES}},
         "escalate": {"low": 0.0, "high": 0.5}},
        {"spec": {"name": "judge", "kind": "llm", "policy": "p@1", "params": _llm_params()}},
    ]  # fmt: skip
    spec = EnforcerSpec(
        name="casc", kind="cascade", policy="p@1", params={"stages": stages}, version=1
    )
    context = KindContext(environ={})
    return create_enforcer(spec, context), context


def _keyword() -> tuple[Enforcer, KindContext | None]:
    registry = Registry()
    registry.register("enforcer", KEYWORD_KIND.name, KEYWORD_KIND)
    spec = EnforcerSpec(
        name="kw", kind=KEYWORD_KIND.name, policy="p@1", params={"keywords": ["kill"]}, version=1
    )
    context = KindContext(registry=registry)
    return create_enforcer(spec, context), context


BUILDERS: dict[str, Callable[[], tuple[Enforcer, KindContext | None]]] = {
    "rules": _rules,
    "classifier": _classifier,
    "recorded": _recorded,
    "llm": _llm,
    "fewshot": _fewshot,
    "cascade": _cascade,
    KEYWORD_KIND.name: _keyword,
}


def test_every_installed_kind_is_in_the_battery() -> None:
    builtins = {"rules", "classifier", "llm", "fewshot", "cascade", "recorded"}
    assert builtins <= set(create_registry().names("enforcer"))  # through the plugin hook
    assert set(enforcer_kinds()) <= set(BUILDERS)


@parametrize_with_checks(BUILDERS)
def test_kind_conforms(enforcer_builder, check) -> None:
    run_check(enforcer_builder, check)
