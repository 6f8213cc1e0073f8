"""Kinds, names and re-creatable specs; plugin loading through pluggy.

Every pluggable concept (enforcers, lint checks, metrics, drift tests, perturbations) registers
factories by name in a `Registry`. Third-party packages arrive through the `modgate` entry-point
group and the hooks of `modgate.hookspecs`; built-ins register through the very same hooks
(`modgate._builtin_plugins` is listed in our own entry points), so there is one discovery path.
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
import warnings
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel, ConfigDict, Field

from modgate import hookspecs
from modgate.errors import PluginLoadWarning, RegistryError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "modgate"
_NAME = re.compile(r"^(?:[a-z][a-z0-9_]*/)?[a-z][a-z0-9_]*$")

Factory = Callable[..., Any]
T = TypeVar("T")


class Spec(BaseModel):
    """A re-creatable reference to a pluggable object: its registry kind, name and parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    """Registry kind, e.g. `enforcer` or `lint_check`."""
    name: str
    """Registered name (snake_case; plugins namespaced `package/name`)."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Keyword arguments passed to the factory."""


class Registry:
    """Factories by (kind, name). Create one per process entry point; there is no global."""

    def __init__(self) -> None:
        self._factories: dict[str, dict[str, object]] = {}

    def register(self, kind: str, name: str, factory: object) -> None:
        """Register a factory or a record (an enforcer kind is an `EnforcerKind`).

        Args:
            kind: Registry kind (`enforcer`, `lint_check`, …).
            name: snake_case name, optionally namespaced `package/name`.
            factory: Callable that builds the object from keyword parameters.

        Raises:
            RegistryError: The name is malformed or already taken for this kind.
        """
        if not _NAME.match(name):
            raise RegistryError(
                f"invalid {kind} name {name!r}: expected snake_case, optionally 'package/name'"
            )
        by_name = self._factories.setdefault(kind, {})
        if name in by_name and by_name[name] is not factory:
            raise RegistryError(f"{kind} {name!r} is registered twice")
        by_name[name] = factory

    def entry(self, kind: str, name: str) -> object:
        """Return what is registered under (kind, name), untyped.

        Raises:
            RegistryError: Unknown kind or name; the message lists what is known.
        """
        by_name = self._factories.get(kind, {})
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise RegistryError(f"unknown {kind} {name!r} (known: {known})")
        return by_name[name]

    def get(self, kind: str, name: str, expected: type[T]) -> T:
        """Return what is registered under (kind, name), checked to be an `expected`.

        Raises:
            RegistryError: Unknown kind or name (the message lists what is known), or the
                entry is not an `expected`.
        """
        found = self.entry(kind, name)
        if not isinstance(found, expected):
            raise RegistryError(
                f"{kind} {name!r} is registered as {type(found).__name__}, not {expected.__name__}"
            )
        return found

    def names(self, kind: str) -> list[str]:
        """Names registered for a kind, sorted."""
        return sorted(self._factories.get(kind, {}))

    def kinds(self) -> list[str]:
        """Kinds that have at least one registration, sorted."""
        return sorted(self._factories)

    def create(self, spec: Spec, expected: type[T]) -> T:
        """Build the object a spec describes with its registered factory, checked by type.

        Raises:
            RegistryError: Unknown kind/name, the parameters do not fit the factory, or the
                factory built something that is not an `expected`.
        """
        factory = self.entry(spec.kind, spec.name)
        if not callable(factory):
            raise RegistryError(f"{spec.kind} {spec.name!r} is not a factory")
        try:
            made = factory(**spec.params)
        except TypeError as exc:
            raise RegistryError(f"cannot create {spec.kind} {spec.name!r}: {exc}") from exc
        if not isinstance(made, expected):
            raise RegistryError(
                f"{spec.kind} {spec.name!r} built {type(made).__name__}, not {expected.__name__}"
            )
        return made


class _Registrar:
    """The callable handed to `register_*` hooks: `register(name, factory)` for one kind."""

    def __init__(self, registry: Registry, kind: str) -> None:
        self._registry = registry
        self._kind = kind

    def __call__(self, name: str, factory: object) -> None:
        self._registry.register(self._kind, name, factory)


HOOK_KINDS: dict[str, str] = {
    "register_enforcers": "enforcer",
    "register_lint_checks": "lint_check",
    "register_perturbations": "perturbation",
    "register_drift_tests": "drift_test",
    "register_monitor_checks": "monitor_check",
}


def create_plugin_manager(
    extra_plugins: Iterable[ModuleType | object] = (),
) -> pluggy.PluginManager:
    """Create a plugin manager with the `modgate` entry-point group loaded.

    A plugin that fails to import logs a warning naming itself and is skipped.
    """
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the process down
            warnings.warn(
                f"modgate plugin {ep.name!r} ({ep.value}) failed to load: {exc}",
                PluginLoadWarning,
                stacklevel=2,
            )
            continue
        if pm.is_registered(plugin):
            continue
        pm.register(plugin, name=ep.name)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def create_registry(
    extra_plugins: Iterable[ModuleType | object] = (),
    *,
    plugin_manager: pluggy.PluginManager | None = None,
) -> Registry:
    """Build a registry filled by every installed plugin (built-ins included).

    Args:
        extra_plugins: Additional plugin objects or modules (tests, notebooks).
        plugin_manager: Use this manager instead of loading entry points.

    Returns:
        A new registry.
    """
    pm = plugin_manager or create_plugin_manager(extra_plugins)
    registry = Registry()
    for hook_name, kind in HOOK_KINDS.items():
        hook = getattr(pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            try:
                impl.function(register=_Registrar(registry, kind))
            except RegistryError:
                raise
            except Exception as exc:
                warnings.warn(
                    f"modgate plugin {impl.plugin_name!r} failed in {hook_name}: {exc}",
                    PluginLoadWarning,
                    stacklevel=2,
                )
    return registry
