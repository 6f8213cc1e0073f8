"""pluggy hook specifications: how built-ins and third-party plugins register with modgate.

A plugin is a module or object listed in the `modgate` entry-point group whose functions are
marked with `modgate.hookimpl` and named after a hook below.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

hookspec = pluggy.HookspecMarker("modgate")
hookimpl = pluggy.HookimplMarker("modgate")

Register = Callable[[str, object], None]
"""`register(name, entry)`: an `EnforcerKind` for enforcers, a factory for the other kinds."""


@hookspec
def register_enforcers(register: Register) -> None:
    """Register enforcer kinds: `register("rules", EnforcerKind(...))` (see `modgate.enforce`)."""


@hookspec
def register_lint_checks(register: Register) -> None:
    """Register policy lint checks."""


@hookspec
def register_perturbations(register: Register) -> None:
    """Register red-team perturbations: `register("leetspeak", factory)` (see `modgate.redteam`)."""


@hookspec
def register_drift_tests(register: Register) -> None:
    """Register drift statistics (`modgate.monitor.DriftTest` factories)."""


@hookspec
def register_monitor_checks(register: Register) -> None:
    """Register monitor checks (`modgate.monitor.MonitorCheck` factories)."""
