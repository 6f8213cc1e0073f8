"""Turn a threshold plan into an enforcer's new thresholds (for a new enforcer version)."""

from __future__ import annotations

from modgate.enforce import EnforcerThresholds
from modgate.errors import ValidationError
from modgate.evaluate._thresholds import ThresholdPlan

_ACTIONS = ("remove", "review", "warn", "label")


def apply_threshold_plan(current: EnforcerThresholds, plan: ThresholdPlan) -> EnforcerThresholds:
    """The enforcer's thresholds with the plan's action threshold replaced.

    The overall threshold replaces the default of `plan.action` (when the target was reachable);
    each tuned community gets an override that copies the defaults (or its existing override)
    with the tuned threshold. Nothing else changes.

    Raises:
        ValidationError: The plan's action is not a thresholded action.
    """
    if plan.action not in _ACTIONS:
        raise ValidationError(f"cannot tune {plan.action!r}: expected one of {_ACTIONS}")
    data = current.model_dump()
    if plan.overall.threshold is not None:
        data[plan.action] = plan.overall.threshold
    defaults = {a: data[a] for a in _ACTIONS}
    for result in plan.communities:
        if result.threshold is None:
            continue
        name = result.scope.split("=", 1)[1]
        base = data["communities"].get(name, defaults)
        data["communities"][name] = {**base, plan.action: result.threshold}
    return EnforcerThresholds.model_validate(data)


__all__ = ["apply_threshold_plan"]
