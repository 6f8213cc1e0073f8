"""The built-in perturbations by registry name (registered through `register_perturbations`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modgate.redteam._held_out import HELD_OUT_PERTURBATIONS
from modgate.redteam._llm_rewrite import llm_coded, llm_paraphrase
from modgate.redteam._normalized import NORMALIZED_PERTURBATIONS


def builtin_perturbations() -> dict[str, Callable[..., Any]]:
    """Factories of the built-in perturbations, by registry name.

    `compose` is not a registry entry: `create_perturbation` builds it from its steps' specs.
    """
    found: dict[str, Callable[..., Any]] = {
        cls.name: cls for cls in (*NORMALIZED_PERTURBATIONS, *HELD_OUT_PERTURBATIONS)
    }
    found["llm_paraphrase"] = llm_paraphrase
    found["llm_coded"] = llm_coded
    return found


LLM_PERTURBATIONS = ("llm_coded", "llm_paraphrase")
"""Built-ins that need an LLM endpoint (left out of the default selection)."""

__all__ = ["LLM_PERTURBATIONS", "builtin_perturbations"]
