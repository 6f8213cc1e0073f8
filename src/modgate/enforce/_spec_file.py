"""`enforcers/NAME.yaml` → `EnforcerSpec`, with every problem reported at `file:line:col`.

The file holds `kind`, `policy` (`id@version`), `params` and `thresholds` (per action, with
optional per-community overrides); its name gives the enforcer's name. Kind-specific params are
validated by the kind's params model when the kind declares one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from modgate.authoring import compose_document, read_source, validate
from modgate.enforce._kinds import enforcer_kinds
from modgate.enforce._protocol import EnforcerSpec
from modgate.errors import NotFoundError, ValidationError

_SPEC_KEYS = ("name", "kind", "policy", "params", "thresholds")
_WHAT = "enforcer spec"


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
        AuthoringError: The YAML is malformed or the spec invalid (a `ValidationError`); the
            message lists every problem as `file:line:col: field: what is wrong`.
    """
    models = _kind_params_models() if params_models is None else params_models
    document = compose_document(text, source=str(file), what=_WHAT)
    data = document.data
    if not isinstance(data, dict):
        document.add((), f"an enforcer spec must be a mapping of {_SPEC_KEYS}")
        document.raise_for_problems(_WHAT)
        raise AssertionError("unreachable")
    name = file.name.removesuffix(".yaml").removesuffix(".yml")
    if "name" in data and data["name"] != name:
        document.add(
            ("name",),
            f"{data['name']!r} differs from the file name {name!r} (the file name is the "
            "enforcer's name)",
            at_key=True,
        )
    if "version" in data:
        document.add(("version",), "set by the catalog, not the file", at_key=True)
    payload = {k: v for k, v in data.items() if k not in ("name", "version")}
    spec = validate(document, EnforcerSpec, data={"name": name, **payload})
    kind, params = data.get("kind"), data.get("params", {})
    if isinstance(kind, str) and kind in models and isinstance(params, dict):
        validate(document, models[kind], data=params, prefix=("params",))
    document.raise_for_problems(_WHAT)
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
        text = read_source(path, what=_WHAT)
    except NotFoundError as exc:
        raise ValidationError(f"enforcer spec {path} not found ({exc})") from exc
    return parse_enforcer_spec(text, file=path, params_models=params_models)


__all__ = ["load_enforcer_spec", "parse_enforcer_spec"]
