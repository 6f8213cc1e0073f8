"""Enforcers: the protocol, built-in kinds, training, the catalog and decision combination."""

from collections.abc import Callable
from typing import Any

from modgate.enforce._actions import action_for_score
from modgate.enforce._protocol import ActionThresholds, Enforcer, EnforcerSpec, EnforcerThresholds


def builtin_enforcer_kinds() -> dict[str, Callable[..., Any]]:
    """Factories of the built-in enforcer kinds, by registry name."""
    return {}


__all__ = [
    "ActionThresholds",
    "Enforcer",
    "EnforcerSpec",
    "EnforcerThresholds",
    "action_for_score",
    "builtin_enforcer_kinds",
]
