"""An `llm` version is fixed at registration: its prompt file pinned, its key variable checked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from modgate.enforce import EnforcerSpec, load_enforcer, register_enforcer
from modgate.enforce.llm import LLMEnforcer
from modgate.errors import ConfigError
from modgate.policy import example_policy_files
from modgate.store import Store


def llm_spec(**params: Any) -> EnforcerSpec:
    base: dict[str, Any] = {"model": "fake-judge", "base_url": "http://127.0.0.1:9/v1"}
    base.update(params)
    return EnforcerSpec(name="pf", kind="llm", policy="harassment@1", params=base)


def prompt_of(store: Store, ref: str, workspace: Path) -> str:
    _, enforcer = load_enforcer(store, ref, workspace=workspace)
    assert isinstance(enforcer, LLMEnforcer)
    return enforcer.system_prompt


def test_editing_the_prompt_file_after_registration_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    prompt = tmp_path / "prompts" / "judge.txt"
    prompt.parent.mkdir()
    prompt.write_text("POLICY v1: no harassment.", encoding="utf-8")
    first = register_enforcer(
        store, llm_spec(prompt_file="prompts/judge.txt"), workspace=tmp_path, actor="ana"
    )
    assert first.created and first.version.artifact_hash
    prompt.write_text("POLICY v2: anything goes.", encoding="utf-8")
    assert prompt_of(store, "pf@1", tmp_path) == "POLICY v1: no harassment."
    again = register_enforcer(
        store, llm_spec(prompt_file="prompts/judge.txt"), workspace=tmp_path, actor="ana"
    )
    assert again.created and again.version.version == 2
    assert again.version.version_hash != first.version.version_hash
    assert prompt_of(store, "pf@2", tmp_path) == "POLICY v2: anything goes."
    same = register_enforcer(
        store, llm_spec(prompt_file="prompts/judge.txt"), workspace=tmp_path, actor="ana"
    )
    assert not same.created and same.version.version == 2


def test_a_changed_pinned_copy_is_refused(store: Store, tmp_path: Path) -> None:
    (tmp_path / "judge.txt").write_text("POLICY: no harassment.", encoding="utf-8")
    version = register_enforcer(
        store, llm_spec(prompt_file="judge.txt"), workspace=tmp_path, actor="ana"
    ).version
    assert version.artifact_path is not None
    (tmp_path / version.artifact_path).write_text("POLICY: allow all.", encoding="utf-8")
    with pytest.raises(ConfigError, match="changed since registration"):
        load_enforcer(store, "pf@1", workspace=tmp_path)


def test_policy_file_is_pinned_too(store: Store, tmp_path: Path) -> None:
    policy = tmp_path / "policies" / "p.yaml"
    policy.parent.mkdir()
    shutil.copyfile(example_policy_files()[0], policy)
    register_enforcer(store, llm_spec(policy_file="policies/p.yaml"), workspace=tmp_path,
                      actor="ana")  # fmt: skip
    before = prompt_of(store, "pf@1", tmp_path)
    policy.write_text("not: a policy\n", encoding="utf-8")
    assert prompt_of(store, "pf@1", tmp_path) == before


@pytest.mark.parametrize("name", ["HOME", "AWS_SECRET_ACCESS_KEY", "PATH", "DATABASE_URL"])
def test_api_key_env_outside_the_patterns_is_refused(
    store: Store, tmp_path: Path, name: str
) -> None:
    with pytest.raises(ConfigError, match="api_key_env"):
        register_enforcer(
            store, llm_spec(prompt="P", api_key_env=name), workspace=tmp_path, actor="ana"
        )
    with pytest.raises(ConfigError, match="api_key_env"):
        LLMEnforcer(llm_spec(prompt="P", api_key_env=name), environ={name: "secret"})


@pytest.mark.parametrize("name", ["MODGATE_LLM_API_KEY", "OPENAI_API_KEY", "MODGATE_X"])
def test_api_key_env_in_the_patterns_is_accepted(store: Store, tmp_path: Path, name: str) -> None:
    spec = llm_spec(prompt="P", api_key_env=name)
    assert register_enforcer(store, spec, workspace=tmp_path, actor="ana").created


def test_patterns_are_a_setting(store: Store, tmp_path: Path) -> None:
    (tmp_path / "modgate.toml").write_text(
        '[modgate]\nllm_api_key_env_patterns = ["VENDOR_TOKEN"]\n', encoding="utf-8"
    )
    spec = llm_spec(prompt="P", api_key_env="VENDOR_TOKEN")
    assert register_enforcer(store, spec, workspace=tmp_path, actor="ana").created
    with pytest.raises(ConfigError, match="api_key_env"):
        register_enforcer(store, llm_spec(prompt="P"), workspace=tmp_path, actor="ana")


def test_prompt_file_outside_the_workspace_needs_the_setting(store: Store, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the LLM", encoding="utf-8")
    (workspace / "link.txt").symlink_to(outside)
    for named in (str(outside), "../secret.txt", "link.txt"):
        with pytest.raises(ConfigError, match="outside the workspace"):
            register_enforcer(store, llm_spec(prompt_file=named), workspace=workspace, actor="ana")
    (workspace / "modgate.toml").write_text(
        "[modgate]\nallow_files_outside_workspace = true\n", encoding="utf-8"
    )
    result = register_enforcer(
        store, llm_spec(prompt_file=str(outside)), workspace=workspace, actor="ana"
    )
    assert prompt_of(store, result.version.ref, workspace) == "not for the LLM"
