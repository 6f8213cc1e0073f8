"""Every registered perturbation: seeded determinism, registry round-trip, family promises."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.errors import RegistryError, ValidationError
from modgate.redteam import (
    LLM_PERTURBATIONS,
    BasePerturbation,
    Composed,
    Leetspeak,
    Padding,
    Perturbation,
    PerturbationSpec,
    compose,
    create_perturbation,
    derive_rng,
)
from modgate.redteam._held_out import HELD_OUT_PERTURBATIONS, SYMBOLS
from modgate.redteam._normalized import HOMOGLYPHS, NORMALIZED_PERTURBATIONS
from modgate.registry import Registry, create_registry
from modgate.text import normalize_text

REGISTRY = create_registry()
PURE = [n for n in REGISTRY.names("perturbation") if n not in LLM_PERTURBATIONS]

# Plain ASCII text: words of ASCII letters separated by one space, optional sentence punctuation.
WORDS = st.from_regex(r"[A-Za-z]{1,12}[.,!?]?", fullmatch=True)
ASCII_TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
ANY_TEXT = st.text(max_size=80)


def test_every_builtin_is_registered_through_the_hook() -> None:
    expected = {c.name for c in (*NORMALIZED_PERTURBATIONS, *HELD_OUT_PERTURBATIONS)}
    assert expected | set(LLM_PERTURBATIONS) == set(REGISTRY.names("perturbation"))
    assert len(NORMALIZED_PERTURBATIONS) >= 9 and len(HELD_OUT_PERTURBATIONS) >= 9


@pytest.mark.parametrize("name", PURE)
def test_round_trips_through_its_spec(name: str) -> None:
    built = create_perturbation(PerturbationSpec(name=name), REGISTRY)
    assert isinstance(built, Perturbation)
    again = create_perturbation(built.spec.model_dump(mode="json"), REGISTRY)
    assert again.spec == built.spec and again.family == built.family
    assert built.family == ("normalized" if built.spec.name in _NORMALIZED_NAMES else "held_out")


_NORMALIZED_NAMES = {c.name for c in NORMALIZED_PERTURBATIONS}


@pytest.mark.parametrize("name", PURE)
@settings(max_examples=60, deadline=None)
@given(text=ANY_TEXT, seed=st.integers(0, 2**32))
def test_deterministic_under_a_seed(name: str, text: str, seed: int) -> None:
    p = create_perturbation(PerturbationSpec(name=name), REGISTRY)
    first = p.apply(text, random.Random(seed))
    assert isinstance(first, str)
    assert p.apply(text, random.Random(seed)) == first
    assert p.apply(text, derive_rng(seed, "item-1")) == p.apply(text, derive_rng(seed, "item-1"))


@pytest.mark.parametrize("name", PURE)
def test_a_perturbation_changes_a_sentence_of_ordinary_words(name: str) -> None:
    p = create_perturbation(PerturbationSpec(name=name), REGISTRY)
    text = "you are such a stupid idiot and everyone hates you"
    changed = sum(p.apply(text, derive_rng(s, name)) != text for s in range(20))
    assert changed == 20


@pytest.mark.parametrize("cls", NORMALIZED_PERTURBATIONS, ids=lambda c: c.name)
@settings(max_examples=150, deadline=None)
@given(text=ASCII_TEXT, seed=st.integers(0, 2**32))
def test_normalization_undoes_the_normalized_family_exactly(
    cls: type, text: str, seed: int
) -> None:
    p = cls(rate=1.0)
    perturbed = p.apply(text, random.Random(seed))
    assert normalize_text(perturbed).text == normalize_text(text).text


@pytest.mark.parametrize("cls", HELD_OUT_PERTURBATIONS, ids=lambda c: c.name)
def test_normalization_does_not_undo_the_held_out_family(cls: type[BasePerturbation]) -> None:
    text = "you are such a stupid idiot and everyone hates you"
    undone = sum(
        normalize_text(cls().apply(text, derive_rng(s, cls.name))).text == text for s in range(50)
    )
    assert undone <= 5  # a few typos can land on a letter squeeze (e.g. a doubled `ss`)


def test_homoglyphs_and_symbols_are_what_they_claim() -> None:
    for latin, glyph in HOMOGLYPHS.items():
        assert normalize_text(f"b{glyph}b").text == f"b{latin}b", latin
    for latin, symbol in SYMBOLS.items():
        assert normalize_text(f"b{symbol}b").text != f"b{latin}b", latin


def test_compose_applies_steps_in_order_and_takes_the_furthest_family() -> None:
    chain = compose(Leetspeak(rate=1.0), Padding(sentences=2))
    text = "kill them all"
    rng_a, rng_b = random.Random(3), random.Random(3)
    expected = Padding(sentences=2).apply(Leetspeak(rate=1.0).apply(text, rng_b), rng_b)
    assert chain.apply(text, rng_a) == expected
    assert chain.family == "held_out"
    rebuilt = create_perturbation(chain.spec, REGISTRY)
    assert isinstance(rebuilt, Composed) and rebuilt.spec == chain.spec
    assert compose(Leetspeak()).family == "normalized"


def test_bad_parameters_are_named_errors() -> None:
    with pytest.raises(ValidationError, match="rate"):
        create_perturbation({"name": "leetspeak", "params": {"rate": 0}}, REGISTRY)
    with pytest.raises(RegistryError, match="unknown perturbation 'nope'"):
        create_perturbation({"name": "nope"}, REGISTRY)
    with pytest.raises(RegistryError, match="cannot create"):
        create_perturbation({"name": "casing", "params": {"bogus": 1}}, REGISTRY)
    with pytest.raises(ValidationError, match="steps"):
        create_perturbation({"name": "compose", "params": {}}, REGISTRY)
    with pytest.raises(ValidationError, match="at least one step"):
        Composed([])


def test_a_plugin_registers_perturbations_through_the_same_hook() -> None:
    from modgate.hookspecs import Register, hookimpl

    class Plugin:
        @hookimpl
        def register_perturbations(self, register: Register) -> None:
            register("acme/shout", lambda: Padding(sentences=1))

    registry: Registry = create_registry([Plugin()])
    assert "acme/shout" in registry.names("perturbation")
    assert "leetspeak" in registry.names("perturbation")
