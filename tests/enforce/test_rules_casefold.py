"""Unicode case folding in the rule matcher: `ſ → s`, `ß → ss`, the same for text and values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modgate.domain import Item
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules._schema import RuleSet
from modgate.text import casefold_text, normalize_text

_LETTERS = st.text(alphabet="abcsSkKßẞſſΣσςİıﬁǰŉ ", min_size=1, max_size=12)


def _ruleset(keyword: str, match_on: str = "normalized") -> RuleSet:
    return RuleSet.model_validate(
        {
            "rules": [
                {
                    "id": "k",
                    "checks": [{"values": [keyword], "match": "includes", "fields": ["body"]}],
                    "match_on": match_on,
                }
            ]
        }
    )


def test_long_s_and_sharp_s_match_their_folded_spellings() -> None:
    compiled = compile_ruleset(_ruleset("bullshit"))
    for body in ("bullſhit", "BULLſHIT", "bullshit"):
        assert compiled.match(Item(id="i", body=body)).hits, body
    sharp = compile_ruleset(_ruleset("straße"))
    for body in ("STRASSE", "strasse", "Straße", "STRAẞE"):
        assert sharp.match(Item(id="i", body=body)).hits, body
    raw = compile_ruleset(_ruleset("bullshit", "raw"))
    assert raw.match(Item(id="i", body="so BULLſHIT")).hits


@given(st.text(max_size=40))
def test_casefold_text_is_str_casefold_and_idempotent(text: str) -> None:
    folded = casefold_text(text)
    assert folded == text.casefold()
    assert casefold_text(folded) == folded


@given(st.text(max_size=40))
def test_normalize_text_is_unchanged_folding_is_a_separate_step(text: str) -> None:
    # normalize_text still lower-cases (the classifiers read it); folding its output differs
    # from it only where casefold and lower differ.
    normalized = normalize_text(text).text
    assert normalized.casefold() == casefold_text(normalized)
    if normalized.isascii():
        assert casefold_text(normalized) == normalized


@given(_LETTERS, _LETTERS)
def test_a_keyword_fires_exactly_when_the_folded_text_contains_the_folded_keyword(
    keyword: str, body: str
) -> None:
    keyword = keyword.strip() or "a"
    compiled = compile_ruleset(_ruleset(keyword, "raw"))
    fired = bool(compiled.match(Item(id="i", body=body)).hits)
    assert fired == (keyword.casefold() in body.casefold())
