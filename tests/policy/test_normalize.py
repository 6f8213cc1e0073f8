from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modgate.policy import normalize_example_text


@given(st.text())
def test_normalising_is_idempotent(text: str) -> None:
    once = normalize_example_text(text)
    assert normalize_example_text(once) == once


@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lt", "Nd", "Zs"))))
def test_case_folding_and_spacing_do_not_matter(text: str) -> None:
    spaced = "  " + "\t".join(text.split(" ")) + "\n"
    assert normalize_example_text(spaced) == normalize_example_text(text)
    assert normalize_example_text(text.casefold()) == normalize_example_text(text)


@given(st.text(alphabet=st.characters(codec="ascii", categories=("Lu", "Ll", "Zs"))))
def test_ascii_upper_and_lower_case_are_the_same(text: str) -> None:
    assert normalize_example_text(text.upper()) == normalize_example_text(text.lower())


def test_examples() -> None:
    assert normalize_example_text("  You  absolute\nCLOWN ") == "you absolute clown"
    assert normalize_example_text("Ｆｕｌｌ width") == "full width"
    assert normalize_example_text("STRASSE") == normalize_example_text("straße")
