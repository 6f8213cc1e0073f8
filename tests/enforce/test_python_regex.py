from __future__ import annotations

import re

import pytest
import re2
import regex
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from modgate.enforce.rules._python_regex import UnconvertibleRegexError, convert_python_regex

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


def compile_like_the_rule_set(pattern: str) -> object:
    """RE2 when it accepts the pattern, else the `regex` module (as rule sets do)."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error:
        return regex.compile(pattern, regex.V0)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\w+", r"[\p{L}\p{N}_]+"),
        ("a$", r"a(?=\n?\z)"),
        (r"a\Z", r"a\z"),
        ("x{,3}", "x{0,3}"),
        ("(?P<n>a)(?P=n)", r"(a)\g<1>"),
        ("a.b", "a(?s:.)b"),
        ("[.-]", r"[\.\-]"),
    ],
)
def test_rewrites(pattern: str, expected: str) -> None:
    assert convert_python_regex(pattern) == expected


def test_portable_patterns_stay_on_re2_and_the_others_fall_back() -> None:
    assert isinstance(compile_like_the_rule_set(convert_python_regex(r"fr[e3]{2}\d+")), re2._Regexp)
    assert not isinstance(compile_like_the_rule_set(convert_python_regex(r"\bfoo")), re2._Regexp)


def test_invalid_python_patterns_raise_re_error() -> None:
    with pytest.raises(re.error):
        convert_python_regex("a[b")


def test_a_rule_whose_regex_cannot_be_rewritten_is_reported_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from modgate.enforce.rules.automod import _translate as _automod_translate
    from modgate.enforce.rules.automod import import_automod_config, parse_automod_config

    def refuse(pattern: str, **_: object) -> str:
        raise UnconvertibleRegexError("regex construct X is not supported")

    monkeypatch.setattr(_automod_translate, "convert_python_regex", refuse)
    result = import_automod_config(
        parse_automod_config(
            "body (regex): ['a+']\naction: remove\n---\nbody: [b]\naction: remove"
        ),
        name="t",
    )
    first, second = result.report.entries
    assert first.status == "unsupported" and "construct X" in first.reason
    assert second.status == "translated"


_ATOMS = st.sampled_from(
    [
        "a",
        "B",
        "é",
        "_",
        "1",
        " ",
        r"\.",
        ".",
        r"\w",
        r"\W",
        r"\d",
        r"\D",
        r"\s",
        r"\S",
        r"\b",
        r"\B",
        "^",
        "$",
        r"\A",
        r"\Z",
        "[a-c]",
        r"[^\W\d]",
        r"[\s_]",
        "[^a]",
        r"[\w.]",
    ]
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map(lambda p: f"(?:{p[0]}|{p[1]})"),
        inner.map(lambda p: f"({p})"),
        inner.map(lambda p: f"(?:{p})*"),
        inner.map(lambda p: f"(?:{p})+?"),
        inner.map(lambda p: f"(?:{p}){{1,2}}"),
        inner.map(lambda p: f"(?={p})"),
        inner.map(lambda p: f"(?!{p})"),
        inner.map(lambda p: f"(?i:{p})"),
    )


_PATTERNS = st.recursive(_ATOMS, _combine, max_leaves=6)
_TEXT = st.text(st.sampled_from(list("aAbB_1 é\u0301²‿.\n\t\x1c\u2028\xa0K٣")), max_size=8)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_PATTERNS, texts=st.lists(_TEXT, min_size=1, max_size=6), ignore_case=st.booleans())
def test_rewritten_pattern_means_what_python_means(
    pattern: str, texts: list[str], ignore_case: bool
) -> None:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    try:
        python = re.compile(pattern, flags)
    except re.error:
        assume(False)
        return
    converted = ("(?i)" if ignore_case else "") + convert_python_regex(pattern)
    engine = compile_like_the_rule_set(converted)
    for text in texts:
        expected = python.search(text) is not None
        assert (engine.search(text) is not None) is expected, (pattern, converted, text)  # type: ignore[attr-defined]
