"""Composition: several perturbations applied in order, as one perturbation. Pure."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from modgate.errors import RegistryError, ValidationError
from modgate.redteam._perturbation import Family, Perturbation, PerturbationSpec
from modgate.registry import Registry


class Composed:
    """Apply `steps` one after another with the same generator (`leetspeak` then `padding`).

    Its family is the "furthest" of its steps: `llm` if any step is, else `held_out` if any
    step is, else `normalized`.
    """

    def __init__(self, steps: Sequence[Perturbation]) -> None:
        if not steps:
            raise ValidationError("a composed perturbation needs at least one step")
        self.steps = tuple(steps)
        self._spec = PerturbationSpec(
            name="compose",
            params={"steps": [s.spec.model_dump(mode="json") for s in self.steps]},
        )

    @property
    def spec(self) -> PerturbationSpec:
        """`compose` with the steps' specs."""
        return self._spec

    @property
    def family(self) -> Family:
        """The furthest family of the steps."""
        families = {s.family for s in self.steps}
        for family in ("llm", "held_out"):
            if family in families:
                return family
        return "normalized"

    def apply(self, text: str, rng: random.Random) -> str:
        """Each step in turn."""
        for step in self.steps:
            text = step.apply(text, rng)
        return text


def compose(*steps: Perturbation) -> Composed:
    """Chain perturbations: `compose(Leetspeak(), Padding())`."""
    return Composed(steps)


def create_perturbation(
    spec: PerturbationSpec | Mapping[str, Any], registry: Registry
) -> Perturbation:
    """Build a perturbation from its spec (a `compose` spec builds its steps too).

    Raises:
        RegistryError: Unknown name, parameters that do not fit, or a factory that did not
            build a `Perturbation`.
        ValidationError: A parameter is out of range.
    """
    spec = spec if isinstance(spec, PerturbationSpec) else PerturbationSpec.model_validate(spec)
    if spec.name == "compose":
        steps = spec.params.get("steps")
        if not isinstance(steps, list) or set(spec.params) != {"steps"}:
            raise ValidationError("compose takes one parameter, `steps`: a list of specs")
        return Composed([create_perturbation(step, registry) for step in steps])
    factory = registry.entry("perturbation", spec.name)
    if not callable(factory):
        raise RegistryError(f"perturbation {spec.name!r} is not a factory")
    try:
        built = factory(**spec.params)
    except TypeError as exc:
        raise RegistryError(f"cannot create perturbation {spec.name!r}: {exc}") from exc
    if not isinstance(built, Perturbation):
        raise RegistryError(f"perturbation {spec.name!r} did not build a Perturbation")
    return built


__all__ = ["Composed", "compose", "create_perturbation"]
