"""The `held_out` family: tricks `modgate.text.normalize_text` was *not* written against. Pure.

They measure robustness beyond what the defence was designed for: a reader still gets the
word, normalization does not restore it (`tests/redteam/test_held_out_family.py` checks that
it usually does not).
"""

from __future__ import annotations

import random
import re
import unicodedata

from modgate.errors import ValidationError
from modgate.redteam._perturbation import (
    WORD,
    BasePerturbation,
    Family,
    check_rate,
    pick_positions,
    rewrite_words,
)

# Respellings that sound the same; applied to lower-cased words (case is not kept).
PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    (r"ph", "f"), (r"ck", "k"), (r"qu", "kw"), (r"c(?=[aou])", "k"), (r"ight", "ite"),
    (r"ate\b", "8"), (r"^you$", "u"), (r"^are$", "r"), (r"^the$", "da"), (r"^for$", "4"),
    (r"^to$", "2"), (r"oo", "u"), (r"ee", "ea"), (r"er\b", "a"), (r"s\b", "z"), (r"x", "ks"),
    (r"th", "d"), (r"ou", "ow"), (r"f", "ph"), (r"ea", "ee"), (r"y\b", "ee"), (r"i(?=.e\b)", "y"),
    (r"ck", "kk"), (r"u", "oo"), (r"i", "ee"),
)  # fmt: skip
_PHONETIC = tuple((re.compile(p), r) for p, r in PHONETIC_RULES)

# Look-alike symbols outside normalization's leet table, NFKC and the confusables folding.
SYMBOLS: dict[str, str] = {
    "a": "∆", "b": "ß", "c": "¢", "d": "∂", "e": "€", "i": "¡", "k": "ĸ", "l": "£",
    "n": "∩", "o": "ø", "r": "®", "s": "§", "t": "†", "u": "∪", "x": "×", "y": "¥",
}  # fmt: skip

_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYBOARD):
    for _c, _key in enumerate(_row):
        near = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for other in (_r - 1, _r + 1):
            if 0 <= other < len(_KEYBOARD):
                near += [_KEYBOARD[other][j] for j in (_c, _c + 1) if j < len(_KEYBOARD[other])]
        _NEIGHBOURS[_key] = "".join(near)

PUNCTUATION = (".", "-", "'", "_", ",", "*", "/")
"""Characters `punctuation_split` puts inside words."""
VOWELS = frozenset("aeiouAEIOU")

BENIGN_SENTENCES: tuple[str, ...] = (
    "Thanks for sharing the recipe, it turned out great.",
    "The weather has been lovely all week.",
    "Does anyone know when the library opens on Sunday?",
    "I finally finished that puzzle last night.",
    "Our team won the match on Saturday.",
    "Happy birthday to my sister!",
    "This thread has some really useful tips.",
    "I just planted tomatoes in the garden.",
    "The new update fixed the battery drain for me.",
    "Coffee first, then emails.",
    "Has anyone tried the new bakery downtown?",
    "Good luck with your exams everyone.",
)
"""Innocuous text used to bury a violation (`padding`)."""

# Precomposed accented forms (NFC) of each ASCII letter that has some.
_ACCENTS = (0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0x327, 0x30C)


def _accented(letter: str) -> tuple[str, ...]:
    forms = []
    for mark in _ACCENTS:
        composed = unicodedata.normalize("NFC", letter + chr(mark))
        if len(composed) == 1:
            forms.append(composed)
    return tuple(forms)


ACCENTED: dict[str, tuple[str, ...]] = {
    c: forms
    for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if (forms := _accented(c))
}


class Phonetic(BasePerturbation):
    """Respell words as they sound (`phuck` → `fuk`, `hate` → `h8`, `you` → `u`)."""

    name = "phonetic"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5, rules: int = 2) -> None:
        super().__init__(rate=check_rate(rate), rules=rules)
        self.rate, self.rules = rate, max(1, rules)

    def apply(self, text: str, rng: random.Random) -> str:
        """Apply up to `rules` matching respelling rules to about `rate` of the words."""

        def word(w: str) -> str:
            out = w.lower()
            applicable = [(p, r) for p, r in _PHONETIC if p.search(out)]
            for pattern, repl in rng.sample(applicable, min(self.rules, len(applicable))):
                out = pattern.sub(repl, out, count=1)
            return out

        return rewrite_words(text, rng, self.rate, word, min_length=2)


class Misspelling(BasePerturbation):
    """A typo a reader glosses over: swapped, dropped, doubled or neighbouring-key letter."""

    name = "misspelling"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """One typo in about `rate` of the words of four letters or more."""

        def word(w: str) -> str:
            i = rng.randrange(1, len(w) - 1)
            kind = rng.choice(("swap", "drop", "double", "key"))
            if kind == "swap" and w[i].lower() != w[i + 1].lower() and i + 1 < len(w) - 1:
                return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
            if kind == "drop":
                return w[:i] + w[i + 1 :]
            if kind == "key" and w[i].lower() in _NEIGHBOURS:
                key = rng.choice(_NEIGHBOURS[w[i].lower()])
                return w[:i] + (key.upper() if w[i].isupper() else key) + w[i + 1 :]
            return w[:i] + w[i] + w[i:]

        return rewrite_words(text, rng, self.rate, word, min_length=4)


class Symbols(BasePerturbation):
    """Look-alike symbols no table of normalization knows (`€`, `£`, `§`, `†`, `ø`, `∆`)."""

    name = "symbols"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5, letter_rate: float = 0.4) -> None:
        super().__init__(rate=check_rate(rate), letter_rate=check_rate(letter_rate))
        self.rate, self.letter_rate = rate, letter_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Replace about `letter_rate` of the replaceable letters of about `rate` of the words."""

        def word(w: str) -> str:
            spots = [i for i, c in enumerate(w) if c.lower() in SYMBOLS]
            chosen = set(pick_positions(rng, spots, max(1, len(w) // 2), self.letter_rate))
            return "".join(SYMBOLS[c.lower()] if i in chosen else c for i, c in enumerate(w))

        return rewrite_words(text, rng, self.rate, word, min_length=2)


class Masking(BasePerturbation):
    """Vowels blanked with an asterisk (`f*ck`, `k*ll`, `sh*t`)."""

    name = "masking"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5, mask: str = "*") -> None:
        if len(mask) != 1:
            raise ValidationError(f"mask must be one character, got {mask!r}")
        super().__init__(rate=check_rate(rate), mask=mask)
        self.rate, self.mask = rate, mask

    def apply(self, text: str, rng: random.Random) -> str:
        """Mask one interior vowel of about `rate` of the words of three letters or more."""

        def word(w: str) -> str:
            spots = [i for i in range(1, len(w) - 1) if w[i] in VOWELS]
            if not spots:
                return w
            i = rng.choice(spots)
            return w[:i] + self.mask + w[i + 1 :]

        return rewrite_words(text, rng, self.rate, word, min_length=3)


class PunctuationSplit(BasePerturbation):
    """Punctuation inside words, irregularly (`ki.ll`, `k-i'll`, `i_d.iot`)."""

    name = "punctuation_split"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5, max_splits: int = 2) -> None:
        super().__init__(rate=check_rate(rate), max_splits=max_splits)
        self.rate, self.max_splits = rate, max(1, max_splits)

    def apply(self, text: str, rng: random.Random) -> str:
        """Insert one to `max_splits` punctuation characters into about `rate` of the words."""

        def word(w: str) -> str:
            gaps = set(
                rng.sample(range(1, len(w)), min(len(w) - 1, rng.randint(1, self.max_splits)))
            )
            return "".join(
                (rng.choice(PUNCTUATION) if i in gaps else "") + c for i, c in enumerate(w)
            )

        return rewrite_words(text, rng, self.rate, word, min_length=3)


class WordBoundary(BasePerturbation):
    """Word boundaries moved: words run together (`youidiot`) or split (`idi ot`)."""

    name = "word_boundary"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.4) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Join about `rate` of the word pairs, or split a word where there is only one."""
        words = list(WORD.finditer(text))
        pairs = [
            (a, b)
            for a, b in zip(words, words[1:], strict=False)
            if text[a.end() : b.start()] == " "
        ]
        if pairs:
            chosen = pick_positions(rng, range(len(pairs)), len(pairs), self.rate)
            cut = {pairs[k][0].end() for k in chosen}
            return "".join(c for i, c in enumerate(text) if i not in cut)
        return rewrite_words(
            text,
            rng,
            1.0,
            lambda w: (lambda i: w[:i] + " " + w[i:])(rng.randrange(1, len(w))),
            min_length=4,
        )


class Padding(BasePerturbation):
    """The violation buried in innocuous sentences before and after it."""

    name = "padding"
    family_name: Family = "held_out"

    def __init__(self, sentences: int = 4) -> None:
        if not 1 <= sentences <= 50:
            raise ValidationError(f"padding sentences must be 1..50, got {sentences}")
        super().__init__(sentences=sentences)
        self.sentences = sentences

    def apply(self, text: str, rng: random.Random) -> str:
        """`sentences` benign sentences, split at random between before and after the text."""
        picked = [rng.choice(BENIGN_SENTENCES) for _ in range(self.sentences)]
        before = rng.randint(0, self.sentences)
        return " ".join([*picked[:before], text, *picked[before:]]).strip()


class Diacritics(BasePerturbation):
    """Accented letters (`kíll`, `hàtë`): NFKC composes them, and normalization keeps them."""

    name = "diacritics"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.5, letter_rate: float = 0.4) -> None:
        super().__init__(rate=check_rate(rate), letter_rate=check_rate(letter_rate))
        self.rate, self.letter_rate = rate, letter_rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Accent about `letter_rate` of the letters of about `rate` of the words."""

        def word(w: str) -> str:
            spots = [i for i, c in enumerate(w) if c in ACCENTED]
            chosen = set(pick_positions(rng, spots, len(w), self.letter_rate))
            return "".join(rng.choice(ACCENTED[c]) if i in chosen else c for i, c in enumerate(w))

        return rewrite_words(text, rng, self.rate, word)


class EmojiLetters(BasePerturbation):
    """Letters as emoji-style symbols: negative squared `🅺🅸🅻🅻` or negative circled `🅚🅘🅛🅛`."""

    name = "emoji_letters"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.4) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Write about `rate` of the words in one emoji letter style each."""

        def word(w: str) -> str:
            base = rng.choice((0x1F170, 0x1F150))
            return "".join(chr(base + ord(c.lower()) - ord("a")) for c in w)

        return rewrite_words(text, rng, self.rate, word)


class BidiReversal(BasePerturbation):
    """A word stored backwards inside a right-to-left override, so it *displays* forwards.

    Normalization removes the override but does not reverse the letters: the stored text reads
    `llik`, the screen shows `kill`.
    """

    name = "bidi_reversal"
    family_name: Family = "held_out"

    def __init__(self, rate: float = 0.3) -> None:
        super().__init__(rate=check_rate(rate))
        self.rate = rate

    def apply(self, text: str, rng: random.Random) -> str:
        """Reverse about `rate` of the words of three letters or more inside RLO … PDF."""
        return rewrite_words(
            text, rng, self.rate, lambda w: "\u202e" + w[::-1] + "\u202c", min_length=3
        )


HELD_OUT_PERTURBATIONS: tuple[type[BasePerturbation], ...] = (
    Phonetic, Misspelling, Symbols, Masking, PunctuationSplit, WordBoundary, Padding,
    Diacritics, EmojiLetters, BidiReversal,
)  # fmt: skip

__all__ = [
    "ACCENTED",
    "BENIGN_SENTENCES",
    "HELD_OUT_PERTURBATIONS",
    "PHONETIC_RULES",
    "SYMBOLS",
    "BidiReversal",
    "Diacritics",
    "EmojiLetters",
    "Masking",
    "Misspelling",
    "Padding",
    "Phonetic",
    "PunctuationSplit",
    "Symbols",
    "WordBoundary",
]
