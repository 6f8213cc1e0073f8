"""Registration of an `llm` spec: the key variable checked, the prompt's file pinned.

What a registered `NAME@V` sends must not change after registration: a `prompt_file` or
`policy_file` is hashed into the version (as its artifact) and copied into the artifact store,
and the spec is rewritten to the copy with its sha256 (`prompt_sha256`), which the enforcer
checks when it reads the copy. Editing the original afterwards changes nothing; registering the
edited file makes a new version.

The API key variable is sent as a Bearer token to the spec's `base_url`, so its name must match
one of the configured patterns (`llm_api_key_env_patterns`, default `MODGATE_*`, `*_API_KEY`):
a spec cannot ship `HOME` or `AWS_SECRET_ACCESS_KEY` to a server of its choosing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path

from modgate.enforce._artifact import file_sha256
from modgate.enforce._kinds import PreparedSpec, check_inside_workspace, pin_file, resolve_path
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.llm._params import LLMParams
from modgate.errors import ConfigError

DEFAULT_KEY_ENV_PATTERNS = ("MODGATE_*", "*_API_KEY")
"""Default of the `llm_api_key_env_patterns` setting."""


def check_api_key_env(name: str | None, patterns: Sequence[str], *, enforcer: str) -> None:
    """Refuse an `api_key_env` that matches none of the allowed patterns.

    Raises:
        ConfigError: The name matches no pattern; the message lists them.
    """
    if name is None:
        return
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
        return
    raise ConfigError(
        f"enforcer {enforcer!r}: params.api_key_env {name!r} matches none of the allowed "
        f"patterns ({', '.join(patterns) or 'none'}): its value would be sent as a Bearer token",
        hint="name a variable like MODGATE_LLM_API_KEY or PROVIDER_API_KEY, or extend the "
        "llm_api_key_env_patterns setting in modgate.toml",
    )


def prepare_llm_spec(
    spec: EnforcerSpec,
    workspace: Path,
    *,
    key_env_patterns: Sequence[str] = DEFAULT_KEY_ENV_PATTERNS,
    allow_outside: bool = False,
) -> PreparedSpec:
    """Check the key variable and pin the prompt or policy file of an `llm` spec.

    Returns:
        The spec with `prompt_file` / `policy_file` rewritten to the pinned copy and
        `prompt_sha256` set; the file's sha256 is the version's artifact hash.

    Raises:
        ConfigError: A bad `api_key_env`, a file outside the workspace, or a missing file.
    """
    params = LLMParams.model_validate(spec.params)
    check_api_key_env(params.api_key_env, key_env_patterns, enforcer=spec.name)
    field = "prompt_file" if params.prompt_file is not None else "policy_file"
    named = params.prompt_file if params.prompt_file is not None else params.policy_file
    if named is None:
        return PreparedSpec(spec=spec)
    source = resolve_path(named, workspace)
    check_inside_workspace(
        source, workspace, allow_outside=allow_outside, what=f"{spec.name}: params.{field}"
    )
    if not source.is_file():
        raise ConfigError(f"{spec.name}: params.{field} {source} not found")
    sha, pinned = pin_file(source, workspace, spec.name, allow_outside=allow_outside)
    updated = {**spec.params, field: pinned, "prompt_sha256": sha}
    return PreparedSpec(
        spec=spec.model_copy(update={"params": updated, "version": None}),
        artifact_hash=sha,
        artifact_path=pinned,
    )


def read_pinned(path: Path, sha256: str | None) -> Path:
    """The pinned prompt or policy file, after checking its bytes against the spec's hash.

    Raises:
        ConfigError: The file is missing or changed since registration.
    """
    if sha256 is None:
        return path
    if not path.is_file():
        raise ConfigError(f"pinned prompt file {path} is missing")
    actual = file_sha256(path)
    if actual != sha256:
        raise ConfigError(
            f"pinned prompt file {path} changed since registration (sha256 {actual[:16]}…, "
            f"registered {sha256[:16]}…): refusing to send it",
            hint="register the spec again to make a new version",
        )
    return path


__all__ = [
    "DEFAULT_KEY_ENV_PATTERNS",
    "check_api_key_env",
    "prepare_llm_spec",
    "read_pinned",
]
