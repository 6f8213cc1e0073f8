"""The `Perturbation` protocol, its spec, seeding and the word helpers perturbations share. Pure.

A perturbation rewrites one text the way an evader would, drawing every random choice from the
`random.Random` it is handed, so the same text and generator state give the same output on any
machine (no `hash()`, no clock, no global random state).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import ValidationError
from modgate.registry import Spec

Family = Literal["normalized", "held_out", "llm"]
"""`normalized`: tricks `modgate.text.normalize_text` was written against; `held_out`: tricks it
was not (so robustness is never measured only on what the defence was designed for); `llm`:
model rewrites (paraphrase, coded language), only when an LLM endpoint is configured."""

FAMILIES: tuple[Family, ...] = ("normalized", "held_out", "llm")


class PerturbationSpec(BaseModel):
    """A re-creatable perturbation: registry name and parameters (stored with results)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    """Registered perturbation name, e.g. `leetspeak`."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Keyword parameters of its factory."""

    def to_registry_spec(self) -> Spec:
        """The registry spec that re-creates the perturbation."""
        return Spec(kind="perturbation", name=self.name, params=self.params)

    @property
    def label(self) -> str:
        """`name` or `name(k=v, …)` for reports."""
        if not self.params:
            return self.name
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.name}({shown})"


@runtime_checkable
class Perturbation(Protocol):
    """Rewrites a text as an evader would. Implementations are pure given the generator.

    Contract (checked by `tests/redteam/test_perturbations.py` for every registered one): the
    same text and a generator in the same state give the same output; the output is a `str`;
    an empty text stays empty unless the perturbation adds text on purpose (padding).
    """

    @property
    def spec(self) -> PerturbationSpec:
        """Registry name and parameters."""
        ...

    @property
    def family(self) -> Family:
        """Which family the perturbation belongs to."""
        ...

    def apply(self, text: str, rng: random.Random) -> str:
        """The perturbed text, every random choice drawn from `rng`."""
        ...


def derive_rng(seed: int, *keys: str) -> random.Random:
    """A generator seeded from `seed` and string keys (item id, perturbation, attempt).

    Stable across processes and Python versions (sha256, not `hash()`), so a red-team run is
    rebuilt exactly from its stored seed.
    """
    digest = hashlib.sha256("\x1f".join([str(seed), *keys]).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


WORD = re.compile(r"[A-Za-z]+")
"""What the character-level perturbations treat as a word: a run of ASCII letters."""


def rewrite_words(
    text: str,
    rng: random.Random,
    rate: float,
    rewrite: Callable[[str], str],
    *,
    min_length: int = 1,
    skip: Collection[int] = (),
) -> str:
    """Rewrite each ASCII word of at least `min_length` letters with probability `rate`.

    Words starting at an offset in `skip` are not eligible. At least one eligible word is
    rewritten when there is any (an attack that changes nothing measures nothing). One draw per
    eligible word, in text order, then `rewrite`'s own draws.
    """
    matches = [
        m for m in WORD.finditer(text) if len(m.group()) >= min_length and m.start() not in skip
    ]
    if not matches:
        return text
    chosen = [rng.random() < rate for _ in matches]
    if not any(chosen):
        chosen[rng.randrange(len(matches))] = True
    parts: list[str] = []
    last = 0
    for match, pick in zip(matches, chosen, strict=True):
        parts.append(text[last : match.start()])
        parts.append(rewrite(match.group()) if pick else match.group())
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def next_to_single_letters(text: str) -> set[int]:
    """Start offsets of words with a one-letter word next to them (at most 3 non-letters between).

    Normalization reads runs of single characters as spaced-out letters (`a b c`), so a
    perturbation that puts a separator inside such a neighbour could join the run.
    """
    words = list(WORD.finditer(text))
    found: set[int] = set()
    for k, match in enumerate(words):
        for j in (k - 1, k + 1):
            if not 0 <= j < len(words) or len(words[j].group()) != 1:
                continue
            first, second = sorted((match, words[j]), key=lambda m: m.start())
            gap = text[first.end() : second.start()]
            if len(gap) <= 3 and not any(c.isalnum() for c in gap):
                found.add(match.start())
    return found


def pick_positions(
    rng: random.Random, candidates: Sequence[int], at_most: int, rate: float
) -> list[int]:
    """About `rate` of `candidates` (at least one, at most `at_most`), sorted."""
    if not candidates or at_most < 1:
        return []
    wanted = max(1, min(at_most, round(len(candidates) * rate)))
    return sorted(rng.sample(list(candidates), wanted))


class BasePerturbation:
    """Shared implementation: keeps the spec and the family. Optional for implementers."""

    name: str = ""
    family_name: Family = "normalized"

    def __init__(self, **params: Any) -> None:
        self._spec = PerturbationSpec(name=self.name, params=params)

    @property
    def spec(self) -> PerturbationSpec:
        """Registry name and parameters."""
        return self._spec

    @property
    def family(self) -> Family:
        """Which family the perturbation belongs to."""
        return self.family_name

    def apply(self, text: str, rng: random.Random) -> str:
        """The perturbed text (subclasses implement it)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<perturbation {self._spec.label} ({self.family_name})>"


def check_rate(rate: float) -> float:
    """Validate a rate parameter (share of words or characters touched)."""
    if not 0.0 < rate <= 1.0:
        raise ValidationError(f"perturbation rate must be in (0, 1], got {rate!r}")
    return rate


__all__ = [
    "FAMILIES",
    "WORD",
    "BasePerturbation",
    "Family",
    "Perturbation",
    "PerturbationSpec",
    "check_rate",
    "derive_rng",
    "next_to_single_letters",
    "pick_positions",
    "rewrite_words",
]
