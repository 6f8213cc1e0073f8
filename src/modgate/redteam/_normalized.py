"""The `normalized` family: tricks `modgate.text.normalize_text` was written against. Pure.

Each is built so that normalization undoes it **exactly** on plain ASCII text (words of ASCII
letters separated by spaces or sentence punctuation): `normalize_text(p.apply(t, rng)).text ==
normalize_text(t).text`. `tests/redteam/test_normalized_family.py` checks that property for
every perturbation here; docs/redteam.md states the conditions each one keeps to.
"""

from __future__ import annotations

import functools
import random
import unicodedata

from modgate.errors import ValidationError
from modgate.redteam._perturbation import (
    BasePerturbation,
    Family,
    check_rate,
    next_to_single_letters,
    pick_positions,
    rewrite_words,
)

# Cyrillic / Greek look-alikes that the script-aware folding maps back to the Latin letter
# (checked against `normalize_text` by the tests).
HOMOGLYPHS: dict[str, str] = {
    "a": "\u0430", "c": "\u0441", "d": "\u0501", "e": "\u0435", "h": "\u04bb",
    "i": "\u0456", "j": "\u0458", "k": "\u043a", "o": "\u043e", "p": "\u0440",
    "q": "\u051b", "s": "\u0455", "v": "\u03bd", "w": "\u051d", "x": "\u0445",
    "y": "\u0443",
}  # fmt: skip

# The inverse of normalization's leet table (`0→o 1→i 3→e 4→a 5→s 7→t 8→b 9→g @→a $→s !→i
# |→l +→t`), so every substitution folds back to the letter it replaced.
LEET: dict[str, str] = {
    "a": "4@", "b": "8", "e": "3", "g": "9", "i": "1!", "l": "|", "o": "0", "s": "5$",
    "t": "7+",
}  # fmt: skip

ZERO_WIDTH = ("\u200b", "\u2060", "\ufeff", "\u00ad", "\u200c", "\u200d")
"""Zero-width space, word joiner, BOM, soft hyphen, zero-width (non-)joiner."""
BIDI_MARKS = ("\u200e", "\u200f", "\u061c", "\u2066", "\u2067", "\u2068", "\u2069")
"""Left-to-right / right-to-left / Arabic letter marks and isolates: invisible in Latin text."""
SEPARATORS = (".", "-", "*", "_", "~", "/")
"""Separators of spaced-out letters (`k.i.l.l`); plain spaces are left out, see docs."""
# Letters that double in English words: normalization squeezes their runs to two, others to one.
_DOUBLING = frozenset("bcdefglmnoprstz")


class Homoglyphs(BasePerturbation):
    """Swap Latin letters for Cyrillic/Greek look-alikes inside a word (`kіll`, `ѕhоot`).

    At least one Latin letter stays in each word, so the word is mixed-script: normalization
    folds mixed-script words only (whole words in Cyrillic are real Cyrillic).
    """

    name = "homoglyphs"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, letter_rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate), letter_rate=check_rate(letter_rate))
        self.rate, self.letter_rate = rate, letter_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Replace about `letter_rate` of the swappable letters of about `rate` of the words."""

        def word(w: str) -> str:
            spots = [i for i, c in enumerate(w) if c.lower() in HOMOGLYPHS]
            chosen = set(pick_positions(rng, spots, len(w) - 1, self.letter_rate))
            return "".join(_homoglyph(c) if i in chosen else c for i, c in enumerate(w))

        return rewrite_words(text, rng, self.rate, word, min_length=2)


def _homoglyph(c: str) -> str:
    sub = HOMOGLYPHS[c.lower()]
    return sub.upper() if c.isupper() and sub.upper().lower() == sub else sub


class Leetspeak(BasePerturbation):
    """Digits and symbols for letters inside words (`k1ll`, `h4t3`, `a$$`).

    Only interior letters, at most half of a word's letters: normalization keeps leading-digit
    words (`2nd`), trailing-digit names (`mp3`) and tokens that are mostly digits. Words next
    to a one-letter word are left alone (`a a a|a` would read as spaced-out letters).
    """

    name = "leetspeak"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, letter_rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate), letter_rate=check_rate(letter_rate))
        self.rate, self.letter_rate = rate, letter_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Replace interior letters of about `rate` of the words."""

        def word(w: str) -> str:
            spots = [i for i in range(1, len(w) - 1) if w[i].lower() in LEET]
            chosen = set(pick_positions(rng, spots, len(w) // 2, self.letter_rate))
            return "".join(
                rng.choice(LEET[c.lower()]) if i in chosen else c for i, c in enumerate(w)
            )

        return rewrite_words(
            text, rng, self.rate, word, min_length=3, skip=next_to_single_letters(text)
        )


class ZeroWidth(BasePerturbation):
    """Invisible characters between the letters of words (`k\u200bi\u200bll`)."""

    name = "zero_width"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, gap_rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate), gap_rate=check_rate(gap_rate))
        self.rate, self.gap_rate = rate, gap_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Insert zero-width characters into about `gap_rate` of the letter gaps."""
        return rewrite_words(
            text, rng, self.rate, lambda w: _insert(w, rng, ZERO_WIDTH, self.gap_rate), min_length=2
        )


class Bidi(BasePerturbation):
    """Bidirectional marks and isolates between letters: invisible in Latin text."""

    name = "bidi"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, gap_rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate), gap_rate=check_rate(gap_rate))
        self.rate, self.gap_rate = rate, gap_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Insert bidi marks into about `gap_rate` of the letter gaps."""
        return rewrite_words(
            text, rng, self.rate, lambda w: _insert(w, rng, BIDI_MARKS, self.gap_rate), min_length=2
        )


def _insert(word: str, rng: random.Random, pool: tuple[str, ...], rate: float) -> str:
    gaps = set(pick_positions(rng, range(1, len(word)), len(word) - 1, rate))
    return "".join((rng.choice(pool) if i in gaps else "") + c for i, c in enumerate(word))


class Spacing(BasePerturbation):
    """Letters of a word joined by one repeated separator (`k.i.l.l`, `k-i-l-l`, `k*i*l*l`)."""

    name = "spacing"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.3) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Space out about `rate` of the words of three letters or more.

        A word next to a one-letter word (only whitespace between) is left alone: the letters
        would join that word's run (`a k.i.l.l` is not spaced, `a k i l l` would read `akill`).
        """
        lonely = next_to_single_letters(text)
        return rewrite_words(
            text,
            rng,
            self.rate,
            lambda w: rng.choice(SEPARATORS).join(w),
            min_length=3,
            skip=lonely,
        )


class Repetition(BasePerturbation):
    """Letters stretched (`kiiiill`, `shiiit`, `killlll`).

    A letter that does not double in English (`a h i j k q u v w x y`) is stretched only where
    it stands alone; one that does (`l`, `s`, `o`…) only where it is already doubled: that is
    what normalization's squeezing restores exactly.
    """

    name = "repetition"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, max_run: int = 6) -> None:
        if max_run < 3:
            raise ValidationError(f"max_run must be at least 3, got {max_run}")
        super().__init__(rate=check_rate(rate), max_run=max_run)
        self.rate, self.max_run = rate, max_run

    def apply(self, text: str, rng: random.Random) -> str:
        """Stretch one letter run in about `rate` of the words of two letters or more."""

        def word(w: str) -> str:
            runs = _runs(w)
            spots = [
                k
                for k, (_, c, n) in enumerate(runs)
                if (n == 1 and c.lower() not in _DOUBLING) or (n == 2 and c.lower() in _DOUBLING)
            ]
            if len(runs) < 2 or not spots:
                return w
            start, c, n = runs[rng.choice(spots)]
            return w[:start] + c * rng.randint(3, self.max_run) + w[start + n :]

        return rewrite_words(text, rng, self.rate, word, min_length=2)


def _runs(word: str) -> list[tuple[int, str, int]]:
    """(start, letter, length) of each run of one letter, case-insensitively (`Ll` is a run)."""
    runs: list[tuple[int, str, int]] = []
    for i, c in enumerate(word):
        if runs and runs[-1][1].lower() == c.lower():
            start, letter, n = runs[-1]
            runs[-1] = (start, letter, n + 1)
        else:
            runs.append((i, c, 1))
    return runs


@functools.cache
def zalgo_marks() -> tuple[str, ...]:
    """Combining marks (U+0300–U+036F) that compose with no ASCII letter under NFC.

    Normalization removes marks left on Latin letters after NFKC but keeps composed accents
    (`é`), so only these are "zalgo" it strips; the others are the held-out `diacritics`.
    """
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return tuple(
        chr(m)
        for m in range(0x300, 0x370)
        if m != 0x34F
        and all(unicodedata.normalize("NFC", c + chr(m)) == c + chr(m) for c in letters)
    )


class Zalgo(BasePerturbation):
    """Stacked combining marks on letters (`k̶i̶l̶l̶`, "zalgo" text)."""

    name = "zalgo"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5, letter_rate: float = 0.5, max_marks: int = 3) -> None:
        super().__init__(
            rate=check_rate(rate), letter_rate=check_rate(letter_rate), max_marks=max_marks
        )
        self.rate, self.letter_rate, self.max_marks = rate, letter_rate, max(1, max_marks)

    def apply(self, text: str, rng: random.Random) -> str:
        """Put one to `max_marks` marks on about `letter_rate` of the letters of chosen words."""
        marks = zalgo_marks()

        def word(w: str) -> str:
            chosen = set(pick_positions(rng, range(len(w)), len(w), self.letter_rate))
            return "".join(
                c + "".join(rng.choice(marks) for _ in range(rng.randint(1, self.max_marks)))
                if i in chosen
                else c
                for i, c in enumerate(w)
            )

        return rewrite_words(text, rng, self.rate, word)


class Casing(BasePerturbation):
    """Random upper/lower case per letter (`sTuPiD`, `KILL`)."""

    name = "casing"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Flip the case of letters of about `rate` of the words at random."""
        return rewrite_words(
            text,
            rng,
            self.rate,
            lambda w: "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in w),
        )


_STYLES = {
    "fullwidth": (0xFF41, 0xFF21),
    "bold": (0x1D41A, 0x1D400),
    "circled": (0x24D0, 0x24B6),
}


class StyledLetters(BasePerturbation):
    """Unicode "font" letters: full-width `ｋｉｌｌ`, mathematical bold `𝐤𝐢𝐥𝐥`, circled `ⓚⓘⓛⓛ`."""

    name = "styled_letters"
    family_name: Family = "normalized"

    def __init__(self, rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Write about `rate` of the words in one style each (NFKC folds them back)."""

        def word(w: str) -> str:
            lower, upper = _STYLES[rng.choice(sorted(_STYLES))]
            return "".join(
                chr((upper if c.isupper() else lower) + ord(c.lower()) - ord("a")) for c in w
            )

        return rewrite_words(text, rng, self.rate, word)


NORMALIZED_PERTURBATIONS: tuple[type[BasePerturbation], ...] = (
    Homoglyphs, Leetspeak, ZeroWidth, Bidi, Spacing, Repetition, Zalgo, Casing, StyledLetters,
)  # fmt: skip

__all__ = [
    "HOMOGLYPHS",
    "LEET",
    "NORMALIZED_PERTURBATIONS",
    "Bidi",
    "Casing",
    "Homoglyphs",
    "Leetspeak",
    "Repetition",
    "Spacing",
    "StyledLetters",
    "Zalgo",
    "ZeroWidth",
    "zalgo_marks",
]
