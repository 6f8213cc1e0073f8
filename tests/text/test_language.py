"""Language identification with the model shipped in py3langid's wheel."""

from __future__ import annotations

import pytest

from modgate.text import identify_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The moderators removed my comment without any explanation at all.", "en"),
        ("Привет, как дела? Сегодня хорошая погода, и мы идём гулять в парк.", "ru"),
        ("Привіт, як справи? Сьогодні гарна погода, і ми йдемо гуляти.", "uk"),
        ("Γειά σου κόσμε! Σήμερα ο καιρός είναι πολύ ωραίος και πάμε βόλτα.", "el"),
        ("Los moderadores eliminaron mi comentario sin ninguna explicación.", "es"),
    ],
)
def test_identifies_common_languages(text: str, code: str) -> None:
    guess = identify_language(text)
    assert guess.language == code
    assert 0.5 <= guess.confidence <= 1.0


def test_empty_text_has_no_language() -> None:
    guess = identify_language("   ")
    assert guess.language is None and guess.confidence == 0.0 and guess.best == ""


def test_low_confidence_guesses_are_withheld() -> None:
    guess = identify_language("ok", min_confidence=0.999)
    assert guess.language is None
    assert guess.best != ""
