"""The `llm` kind: an LLM judge over any OpenAI-compatible endpoint."""

from __future__ import annotations

from pathlib import Path

from modgate.enforce._kinds import EnforcerKind, KindContext, PreparedSpec
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce.llm._files import DEFAULT_KEY_ENV_PATTERNS, prepare_llm_spec
from modgate.enforce.llm._params import LLMParams


def _policy(workspace: Path | None) -> tuple[tuple[str, ...], bool]:
    """(allowed key-variable patterns, files outside the workspace allowed) from the settings."""
    if workspace is None:
        return DEFAULT_KEY_ENV_PATTERNS, False
    from modgate.config import load_settings

    settings = load_settings(workspace=workspace)
    return settings.llm_api_key_env_patterns, settings.allow_files_outside_workspace


def _prepare(spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
    patterns, outside = _policy(workspace)
    return prepare_llm_spec(spec, workspace, key_env_patterns=patterns, allow_outside=outside)


def _build(spec: EnforcerSpec, context: KindContext) -> Enforcer:
    from modgate.enforce.llm._enforcer import LLMEnforcer

    patterns, _ = _policy(context.workspace)
    return LLMEnforcer(
        spec,
        store=context.store,
        environ=context.environ,
        workspace=context.workspace,
        key_env_patterns=patterns,
    )


LLM_KIND = EnforcerKind(
    name="llm",
    build=_build,
    params_model=LLMParams,
    prepare=_prepare,
    summary="LLM judge prompted with the compiled policy (OpenAI-compatible endpoint)",
)
"""The `llm` kind; the openai client loads only when a judge is built. Registration checks
`api_key_env` against the allowed patterns and pins `prompt_file` / `policy_file`."""

__all__ = ["LLM_KIND"]
