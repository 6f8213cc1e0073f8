"""Fallback regexes compiled on first use: the same verdicts, and no invalid pattern loads."""

from __future__ import annotations

from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.domain import Item
from modgate.enforce.rules import RuleSet, RuleSetLoadError, compile_ruleset, parse_ruleset
from modgate.enforce.rules._fallback import LazyPattern, deferrable
from modgate.enforce.rules._match import CompiledRuleSet, RuleSetCompileError, relax_for_re2


def _compiled(*patterns: str) -> CompiledRuleSet:
    rules = [{"id": f"r{n}", "regex": [p]} for n, p in enumerate(patterns)]
    return compile_ruleset(RuleSet.model_validate({"rules": rules}))


def _fallbacks(compiled: CompiledRuleSet) -> list[Any]:
    """The distinct fallback patterns (one per check value, shared by the fields it reads)."""
    return list({id(entry[2]): entry[2] for entry in compiled._prefiltered.values()}.values())


def test_a_prefiltered_lookaround_pattern_compiles_only_when_its_prefilter_fires() -> None:
    compiled = _compiled(r"(?<![\w])idiot(?!ic)")
    (lazy,) = _fallbacks(compiled)
    assert isinstance(lazy, LazyPattern) and not lazy.compiled
    assert not compiled.match(Item(id="a", body="a calm reply")).hits
    assert not lazy.compiled  # the RE2 prefilter did not fire: nothing compiled
    assert not compiled.match(Item(id="b", body="idiotic")).hits  # prefilter fired, regex said no
    assert lazy.compiled
    assert [h.rule.id for h in compiled.match(Item(id="c", body="you idiot")).hits] == ["r0"]


@pytest.mark.parametrize(
    "pattern",
    [
        r"(\w+) \1",  # a backreference: needs its group, compiled at load
        r"(?P<w>x)y(?P=w)",
        r"\Qa.b\E(?=c)",  # RE2 syntax the regex module lacks
    ],
)
def test_patterns_whose_validity_load_cannot_prove_are_not_deferred(pattern: str) -> None:
    removed: list[str] = []
    relax_for_re2(pattern, removed)
    assert not deferrable(pattern, removed)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?<=a{2,1})x",  # invalid inside the lookaround that RE2 never sees
        r"\Qa.b\E(?=c)",  # RE2 reads it; the regex module rejects it
        r"x(?=(?P<n>a)(?P=m))",  # a reference to a group that does not exist
    ],
)
def test_an_invalid_fallback_pattern_is_refused_at_load(pattern: str) -> None:
    with pytest.raises(RuleSetCompileError, match="invalid regex"):
        _compiled(pattern)
    text = f"rules:\n  - id: bad\n    regex: ['{pattern}']\n"
    with pytest.raises(RuleSetLoadError, match=r"<rules>:3:\d+: rules\[0\]\.regex\[0\]"):
        parse_ruleset(text)


_PATTERNS = [
    r"(?<![a-z])kys(?![a-z])",
    r"(?<=\s)scam(?=\s|$)",
    r"(?i)(?<!no )spam(?!mer)",
    r"(?:^|(?<=[^\p{L}\p{N}_]))(?:fern|repot)s?(?=[^\p{L}\p{N}_]|$)",
]


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="kysScamPNo fernrepotmix\n", max_size=30),
    index=st.integers(0, len(_PATTERNS) - 1),
)
def test_deferred_and_eager_fallbacks_give_the_same_verdict(text: str, index: int) -> None:
    pattern = _PATTERNS[index]
    compiled = _COMPILED[index]
    assert all(isinstance(p, LazyPattern) for p in _fallbacks(compiled))
    expected = regex.search(f"(?i)(?:{pattern})", text.lower(), regex.V0) is not None
    assert bool(compiled.match(Item(id="i", body=text)).hits) == expected


_COMPILED = [_compiled(p) for p in _PATTERNS]
