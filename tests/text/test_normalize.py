"""Normalization: evasions are folded, real text is not, and the normalizer is a fixed point."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.text import MAX_EXPANSION, normalize_text

# Plain lower-case ASCII prose: real words of two or more letters (none with a letter tripled),
# single spaces, ordinary sentence punctuation. "Unchanged" means exactly equal to the input.
WORDS = (
    "the of and to in is you that it he was for on are as with his they at be this have from "
    "or one had by word but not what all were we when your can said there use an each which she "
    "do how their if will up other about out many then them these so some her would make like "
    "him into time has look two more write go see number no way could people my than first water "
    "been call who oil its now find long down day did get come made may part moderator comment "
    "community thread post removed rules spam account killer skills shoot bass kills assess "
    "book tool queen mississippi coffee committee balloon success address"
).split()
prose = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(["", "", "", ",", ".", "?", "!", ";"])),
    min_size=1,
    max_size=40,
).map(lambda ws: " ".join(w + p for w, p in ws))

# Evasion-flavoured text: letters from several scripts, digits, leet symbols, separators,
# invisibles, combining marks and compatibility characters.
NASTY = (
    "\u0336\u0489\u0335ⲞХ"
    "kilKIaeo0134578@$!|+9 .-_*~/·\n\t\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2066\ufe0f"
    "іаеорсхукКАЕОРСХΑΕΟοαειρυνкмтвнпгл\u0301\u0308ｋｉ𝐤ﬁ①ßςİ\u0130ⅰéèё中ыщ"
    "ww:/.httpsa"
)
nasty = st.text(alphabet=st.sampled_from(list(NASTY)), max_size=60)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("k\u200bi\u200bl\u200bl yourself", "kill yourself"),
        ("k\u2060i\ufeffll", "kill"),
        ("k\u00adill", "kill"),
        ("ki\u200dll", "kill"),
        ("\u202ekill\u202c", "kill"),
        ("kіll", "kill"),  # Cyrillic і
        ("ѕhооt", "shoot"),  # Cyrillic ѕ о о
        ("КILL", "kill"),  # Cyrillic К, then lower-cased
        ("ｋｉｌｌ", "kill"),  # full-width
        ("𝐤𝐢𝐥𝐥", "kill"),  # mathematical bold
        ("k1ll", "kill"),
        ("sh00t", "shoot"),
        ("1d10t", "idiot"),
        ("a$$hole", "asshole"),
        ("sh!t", "shit"),
        ("k i l l", "kill"),
        ("k.i.l.l", "kill"),
        ("k-i-l-l", "kill"),
        ("k * i * l * l", "kill"),
        ("k 1 l l", "kill"),
        ("kill\n   you", "kill you"),
        ("k\u0336i\u0336l\u0336l\u0336", "kill"),  # strikethrough marks
        ("ni\u0334\u0335gg\u0338er", "nigger"),  # stacked marks
        ("I\u0307ll kill", "ill kill"),
        ("kill\tyou", "kill you"),
        ("kiiiiill", "kill"),
        ("killllll", "kill"),
        ("fuuuuuck", "fuck"),
        ("asssss", "ass"),
    ],
)
def test_evasions_fold_to_the_plain_word(raw: str, expected: str) -> None:
    assert normalize_text(raw).text == expected


def test_changes_are_counted_by_kind() -> None:
    changes = normalize_text("k\u200bіll y0u a n d, y o u r\n\n  friends").changes
    assert changes.invisible == 1
    assert changes.confusables == 1
    assert changes.leet == 1
    assert changes.spacing == 2
    assert changes.whitespace == 1
    assert changes.evasion_signals == 5
    assert normalize_text("hello there").changes.evasion_signals == 0


@pytest.mark.parametrize(
    "text",
    [
        "in 2024 about 3.5 percent paid $100 or 10k, see page 12",
        "the 2nd and 3rd place in the 90s, python3 and mp3 files, covid19",
        "e.g. this, i.e. that, a b",
        "@moderator hello! wow!!!",
        "see https://www.example.com/aaa/k1ll?q=xxx for details",
        "version 1.2.3 and 1 2 3",
    ],
)
def test_numbers_mentions_and_links_survive(text: str) -> None:
    assert normalize_text(text).text == text


@pytest.mark.parametrize(
    "sentence",
    [
        "Привет, как дела? Сегодня хорошая погода, и мы идём гулять в парк.",
        "Это обычное предложение на русском языке без всяких хитростей.",
        "Γειά σου κόσμε! Σήμερα ο καιρός είναι πολύ ωραίος και πάμε βόλτα.",
        "Η γάτα κάθεται στο παράθυρο και κοιτάζει τους περαστικούς.",
        "Привіт, як справи? Сьогодні гарна погода, і ми йдемо гуляти.",
        "Їжак і єнот живуть у лісі біля річки, ґанок старий.",
    ],
)
def test_russian_greek_and_ukrainian_pass_through(sentence: str) -> None:
    result = normalize_text(sentence)
    assert result.text == sentence.lower()
    assert normalize_text(sentence.lower()).text == sentence.lower()
    assert result.changes.confusables == 0
    assert result.changes.evasion_signals == 0


@pytest.mark.parametrize(
    "text", ["café crème", "über straße", "tiếng việt có dấu", "señor niño", "ångström"]
)
def test_accents_that_nfkc_composes_are_kept(text: str) -> None:
    assert normalize_text(text).text == text


def test_latin_letters_inside_a_cyrillic_word_fold_to_cyrillic() -> None:
    assert normalize_text("пpивет").text == "привет"  # Latin p in a Russian word


def test_invisible_joiners_inside_emoji_and_scripts_that_need_them_are_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert normalize_text(family).text == family
    persian = "می\u200cخواهم"
    assert normalize_text(persian).text == persian


@given(prose)
def test_plain_lowercase_ascii_prose_is_unchanged(text: str) -> None:
    assert normalize_text(text).text == text


@given(prose)
def test_plain_ascii_prose_only_loses_its_capitals(text: str) -> None:
    assert normalize_text(text.capitalize()).text == text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(nasty, st.text(max_size=80)))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once


@settings(max_examples=300)
@given(st.one_of(nasty, st.text(max_size=200)))
def test_normalization_never_raises_and_output_is_bounded(text: str) -> None:
    result = normalize_text(text)
    assert isinstance(result.text, str)
    assert len(result.text) <= MAX_EXPANSION * len(text)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200))
def test_ascii_output_is_never_longer(text: str) -> None:
    assert len(normalize_text(text).text) <= len(text)
