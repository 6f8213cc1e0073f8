from __future__ import annotations

import importlib.metadata
import warnings

import pytest

from modgate.errors import PluginLoadWarning, RegistryError
from modgate.hookspecs import Register, hookimpl
from modgate.registry import Registry, Spec, create_plugin_manager, create_registry


class _Thing:
    def __init__(self, size: int = 1) -> None:
        self.size = size


def test_spec_round_trips_through_the_registry() -> None:
    registry = Registry()
    registry.register("enforcer", "thing", _Thing)
    made = registry.create(Spec(kind="enforcer", name="thing", params={"size": 3}), _Thing)
    assert isinstance(made, _Thing)
    assert made.size == 3


def test_unknown_names_list_what_is_known() -> None:
    registry = Registry()
    registry.register("enforcer", "a", _Thing)
    with pytest.raises(RegistryError, match=r"unknown enforcer 'b' \(known: a\)"):
        registry.get("enforcer", "b", _Thing)


def test_bad_params_and_names_are_registry_errors() -> None:
    registry = Registry()
    registry.register("enforcer", "thing", _Thing)
    with pytest.raises(RegistryError, match="cannot create"):
        registry.create(Spec(kind="enforcer", name="thing", params={"colour": 1}), _Thing)
    with pytest.raises(RegistryError, match="invalid"):
        registry.register("enforcer", "Bad Name", _Thing)
    registry.register("enforcer", "acme/thing", _Thing)
    with pytest.raises(RegistryError, match="twice"):
        registry.register("enforcer", "acme/thing", dict)


def test_plugins_register_through_hooks() -> None:
    class Plugin:
        @hookimpl
        def register_enforcers(self, register: Register) -> None:
            register("acme/thing", _Thing)

    registry = create_registry([Plugin()])
    assert "acme/thing" in registry.names("enforcer")


def test_builtins_come_from_the_entry_point_group() -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group="modgate")}
    assert "builtin" in names
    pm = create_plugin_manager()
    assert pm.get_plugin("builtin") is not None


def test_a_failing_plugin_warns_and_is_skipped() -> None:
    class Broken:
        @hookimpl
        def register_enforcers(self, register: Register) -> None:
            raise ImportError("missing dependency xyz")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_registry([Broken()])
    assert any(
        issubclass(w.category, PluginLoadWarning) and "xyz" in str(w.message) for w in caught
    )
