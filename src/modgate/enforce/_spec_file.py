"""`enforcers/NAME.yaml` → `EnforcerSpec`, with every problem reported at `file:line:col`.

The file holds `kind`, `policy` (`id@version`), `params` and `thresholds` (per action, with
optional per-community overrides); its name gives the enforcer's name. Kind-specific params are
validated by the kind's params model when the kind declares one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce._kinds import enforcer_kinds
from modgate.enforce._protocol import EnforcerSpec
from modgate.errors import ValidationError

Location = tuple[int, int]
_SPEC_KEYS = ("name", "kind", "policy", "params", "thresholds")


def _locations(
    node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], Location]
) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key, "__key__")] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            _locations(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _locations(child, (*path, index), out)


def _locate(
    path: tuple[Any, ...], where: dict[tuple[Any, ...], Location], *, at_key: bool = False
) -> Location:
    # A bad value points at the value, an unknown key at the key, a missing key at its parent.
    if at_key and (*path, "__key__") in where:
        return where[(*path, "__key__")]
    while path and path not in where:
        path = path[:-1]
    return where.get(path, (1, 1))


def _errors(
    exc: PydanticValidationError,
    prefix: tuple[Any, ...],
    file: Path,
    where: dict[tuple[Any, ...], Location],
) -> list[tuple[Location, str]]:
    found: list[tuple[Location, str]] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path = (*prefix, *loc)
        line, col = _locate(path, where, at_key=err["type"] == "extra_forbidden")
        dotted = ".".join(str(p) for p in path) or "file"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        shown = err.get("input")
        got = "" if err["type"] in ("missing", "extra_forbidden") else f" (got {shown!r})"
        found.append(((line, col), f"{file}:{line}:{col}: {dotted}: {message}{got}"))
    return found


def _kind_params_models() -> dict[str, type[BaseModel]]:
    return {
        name: kind.params_model
        for name, kind in enforcer_kinds().items()
        if kind.params_model is not None
    }


def parse_enforcer_spec(
    text: str,
    *,
    file: Path,
    params_models: Mapping[str, type[BaseModel]] | None = None,
) -> EnforcerSpec:
    """Parse the YAML text of an enforcer spec file.

    Args:
        text: YAML content.
        file: The file it came from (names the enforcer and the diagnostics).
        params_models: Params model by kind (default: every installed kind's).

    Returns:
        The validated spec (no version: the catalog assigns it).

    Raises:
        ValidationError: The YAML is malformed or the spec invalid; the message lists every
            problem as `file:line:col: field: what is wrong`.
    """
    models = _kind_params_models() if params_models is None else params_models
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "1:1"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationError(f"{file}:{at}: invalid YAML: {problem}") from exc
    if not isinstance(data, dict) or root is None:
        raise ValidationError(f"{file}:1:1: an enforcer spec must be a mapping of {_SPEC_KEYS}")
    where: dict[tuple[Any, ...], Location] = {}
    _locations(root, (), where)
    name = file.name.removesuffix(".yaml").removesuffix(".yml")
    problems: list[tuple[Location, str]] = []
    if "name" in data and data["name"] != name:
        line, col = _locate(("name",), where, at_key=True)
        problems.append(
            ((line, col), f"{file}:{line}:{col}: name: {data['name']!r} differs from the file "
             f"name {name!r} (the file name is the enforcer's name)")
        )  # fmt: skip
    if "version" in data:
        line, col = _locate(("version",), where, at_key=True)
        problems.append(
            ((line, col), f"{file}:{line}:{col}: version: set by the catalog, not the file")
        )
    payload = {k: v for k, v in data.items() if k not in ("name", "version")}
    spec: EnforcerSpec | None = None
    try:
        spec = EnforcerSpec.model_validate({"name": name, **payload})
    except PydanticValidationError as exc:
        problems.extend(_errors(exc, (), file, where))
    kind, params = data.get("kind"), data.get("params", {})
    if isinstance(kind, str) and kind in models and isinstance(params, dict):
        try:
            models[kind].model_validate(params)
        except PydanticValidationError as exc:
            problems.extend(_errors(exc, ("params",), file, where))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ValidationError(
            f"{len(problems)} problem(s) in {file}:\n  " + "\n  ".join(m for _, m in problems)
        )
    assert spec is not None
    return spec


def load_enforcer_spec(
    path: Path, *, params_models: Mapping[str, type[BaseModel]] | None = None
) -> EnforcerSpec:
    """Load `enforcers/NAME.yaml` into an `EnforcerSpec` (see `parse_enforcer_spec`).

    Raises:
        ValidationError: The file is missing, unreadable or invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(f"enforcer spec {path} not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: cannot read: {exc}") from exc
    return parse_enforcer_spec(text, file=path, params_models=params_models)


__all__ = ["load_enforcer_spec", "parse_enforcer_spec"]
