"""Hand a kind's factory the context it asks for (store, workspace folder, environment…)."""

from __future__ import annotations

import inspect
from typing import Any


def accepted_keywords(factory: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The part of `context` that `factory` accepts as keyword arguments.

    A factory with `**kwargs` gets all of it; one whose signature cannot be read gets none.
    Kinds declare what they need (`store`, `base_dir`, …) simply by naming it as a parameter.
    """
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return dict(context)
    return {key: value for key, value in context.items() if key in parameters}
