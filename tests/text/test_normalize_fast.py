"""The fast `normalize_text` equals the reference path, text and change record, everywhere.

Differential tests: every text of the shared data sets, and generated adversarial text
(confusables, invisibles, bidi controls, combining marks, leetspeak, spacing tricks, repeats,
mixed scripts, links). Plus each shortcut's own promise: when it says a step is idle, the step
changes nothing.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from modgate.text import _normalize as ref
from modgate.text import _normalize_fast as fast
from modgate.text import normalize_text
from modgate.text._normalize import normalize_text_reference

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")


def shared_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(DATA.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle)
    return texts


def test_fast_path_equals_reference_on_every_shared_text() -> None:
    texts = shared_texts()
    if not texts:
        pytest.skip(f"no data sets under {DATA}")
    differ = [t for t in texts if normalize_text(t) != normalize_text_reference(t)]
    assert differ == [], f"{len(differ)} of {len(texts)} differ, e.g. {differ[:3]!r}"
    assert len(texts) > 100_000  # all of them, not a sample


# Adversarial text: pieces an evader (or a real multilingual comment) strings together.
PIECES = [
    *"kilKIaeostu0134578@$!|+9 .-_*~/·,?'\"\n\t#:",
    *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u202c\u2066\u2069\u061c\ufe0f\u180e\u3164",
    *"іаеорсхукКАЕОРСХΑΕΟοαειρυνкмтвнпгл",
    *"\u0301\u0308\u0336\u0334\u0489\u20dd",
    *"ｋｉ𝐤𝐢ﬁ①ßςİⅰéèёü中ыщ’“”…–£\xa0\u2003\U0001f600\U0001f468",
    "http://",
    "https://www.",
    "www.",
    ".com/",
    "k i l l",
    "k.i.l.l",
    "k - i - l - l",
    "k1ll",
    "sh!t",
    "a$$",
    "@user",
    "2024",
    "mp3",
    "1d10t",
    "sooo",
    "killlll",
    "aaaa",
    "!!!",
    "...",
    "  ",
    " a ",
    "kіll",
    "пpивет",
    "Привет",
    "Γειά",
    "می\u200cخواهم",
]
adversarial = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
words = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(alphabet="abcdeiklostuy013457@$!|+.-_*~/ ", min_size=1, max_size=6),
    ),
    max_size=25,
).map(" ".join)


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(adversarial, words, st.text(max_size=120)))
@example("a b cwww.x")
@example("q r a.b.c")
@example("k\u200bi\u200bl\u200bl")
@example("Ｋ i l l")
@example("1 2 3 a b c")
def test_fast_path_equals_reference_on_adversarial_text(text: str) -> None:
    assert normalize_text(text) == normalize_text_reference(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=150))
def test_fast_path_equals_reference_on_any_ascii(text: str) -> None:
    assert normalize_text(text) == normalize_text_reference(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(adversarial, words))
def test_token_cache_gives_the_same_result_cold_and_warm(text: str) -> None:
    warm = normalize_text(text)
    fast._CLEAN_TOKENS.clear()
    fast._FOLDED_TOKENS.clear()
    assert normalize_text(text) == warm


ascii_words = st.lists(
    st.text(alphabet="abcdeiklostuy0134579@$!|+.-_*~/,", min_size=1, max_size=8), max_size=20
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(ascii_words)
def test_token_folding_equals_folding_the_whole_text(text: str) -> None:
    whole, leet = ref._fold_leet(text)
    whole, repeats = ref._squeeze_repeats(whole)
    assert fast._fold_tokens(text) == (whole, leet, repeats)


@settings(max_examples=500, deadline=None)
@given(ascii_words)
def test_leet_shortcut_says_idle_only_when_leet_folding_changes_nothing(text: str) -> None:
    if not fast._MAY_FOLD_LEET.search(text.encode().translate(fast._LEET_SHAPE)):
        assert ref._fold_leet(text) == (text, 0)


@settings(max_examples=500, deadline=None)
@given(st.one_of(ascii_words, st.text(alphabet="ab1@ .-*~/_\t\n", max_size=40)))
def test_spacing_shortcut_says_idle_only_when_the_spacing_rule_finds_nothing(text: str) -> None:
    singles = b" " + text.encode().translate(fast._SINGLE_SHAPE) + b" "
    if not fast._MAY_BE_SPACED.search(singles):
        assert ref._SPACED.search(text) is None


@given(st.binary(max_size=300).map(lambda b: bytes(x & 0x7F for x in b)))
@example(b"aaa")
@example(b"xaab")
@example(b"\x7f\x7f\x7f")
def test_triple_test_matches_a_regex(data: bytes) -> None:
    assert fast._has_triple(data) == bool(re.search(rb"(.)\1\1", data, re.DOTALL))


def test_token_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "_TOKEN_CACHE_SIZE", 8)
    fast._CLEAN_TOKENS.clear()
    fast._FOLDED_TOKENS.clear()
    for i in range(50):
        text = f"w{i}rd sooo{i} k{i}ll plain{i} 2{i}nd"
        assert normalize_text(text) == normalize_text_reference(text)
        assert len(fast._CLEAN_TOKENS) <= 8
        assert len(fast._FOLDED_TOKENS) <= 8
