"""The `rules` kind: a keyword/regex rule set, inlined into the version at registration."""

from __future__ import annotations

from pathlib import Path

from modgate.enforce._artifact import file_sha256
from modgate.enforce._kinds import (
    EnforcerKind,
    KindContext,
    PreparedSpec,
    check_inside_workspace,
    relative_path,
    resolve_path,
)
from modgate.enforce._protocol import Enforcer, EnforcerSpec


def _prepare_rules(spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
    # A rule set named by path is inlined, so the version (hashed over its spec) holds the
    # rules themselves: editing rules/NAME.yaml later cannot change a registered version.
    if "ruleset" not in spec.params or "rules" in spec.params:
        return PreparedSpec(spec=spec)
    from modgate.enforce.rules._load import load_ruleset

    source = resolve_path(str(spec.params["ruleset"]), workspace)
    check_inside_workspace(source, workspace, what=f"{spec.name}: params.ruleset")
    compiled = load_ruleset(source)  # every problem reported with file:line
    params = {k: v for k, v in spec.params.items() if k not in ("ruleset", "base_dir")}
    params["rules"] = compiled.ruleset.model_dump(mode="json", exclude_none=True)
    params["ruleset_source"] = relative_path(source, workspace)
    sha = file_sha256(source)
    params["ruleset_sha256"] = sha
    inlined = spec.model_copy(update={"params": params, "version": None})
    return PreparedSpec(spec=inlined, artifact_hash=sha, artifact_path=params["ruleset_source"])


def _build(spec: EnforcerSpec, context: KindContext) -> Enforcer:
    from modgate.enforce.rules._enforcer import RulesEnforcer

    return RulesEnforcer.from_spec(spec)


RULES_KIND = EnforcerKind(
    name="rules",
    build=_build,
    prepare=_prepare_rules,
    summary="keyword and regex rule set (AutoModerator-like), on normalized text",
)
"""The `rules` kind."""

__all__ = ["RULES_KIND"]
