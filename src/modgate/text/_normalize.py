"""Evasion-resistant text normalization shared by every enforcer: the specification. Pure.

`normalize_text` applies, in this order (each step is idempotent and none undoes another, so
the whole is idempotent — a property test checks it):

1. **Invisible characters** removed: zero-width space, word joiner, BOM, soft hyphen, invisible
   operators, Hangul fillers, tag characters and C0/C1 controls other than tab and newline;
   zero-width (non-)joiners only *next to* spaces, ASCII, Latin, Cyrillic or Greek letters or
   digits (elsewhere they shape Persian, Indic scripts and emoji sequences, and are kept).
   Bidi controls and variation selectors are removed and counted apart, since emoji carry
   variation selectors innocently.
   After NFKC, combining marks still sitting on Latin letters (strikethrough `k̶i̶l̶l̶`, stacked
   "zalgo" marks) are removed; accents NFKC composes (`é`, `ü`, Vietnamese `ế`) stay.
2. **Whitespace**: any run of whitespace (several spaces, tabs, line breaks) becomes one space,
   so phrases match across line breaks and padding. **NFKC**, then **lower-case** (`str.lower`,
   not `casefold`: casefold rewrites Greek final sigma `ς` and German `ß`, which would change
   real Greek and German text).
3. **Spacing tricks** collapsed: a run of three or more single characters joined by the *same*
   separator (`k i l l`, `k.i.l.l`, `k-i-l-l`, `k * i * l * l`) becomes one word, when at least
   two of them are letters (so `1.2.3` and `a b` stay).
4. **Homoglyphs** folded in mixed-script tokens only (see `_confusables`).
5. **Leetspeak** folded (`0→o 1→i 3→e 4→a 5→s 7→t 8→b 9→g @→a $→s !→i |→l +→t`) inside tokens
   that are mostly letters — at least as many letters as leet characters, or a run of leet
   characters between two letters (`1d10t`). Numbers (`2024`, `3.5`, `$100`), leading-digit
   words (`2nd`, `90s`, `4chan`) and trailing-digit names (`mp3`, `covid19`) are kept. A leading
   `@` (a mention) and trailing `!` (punctuation) are never folded.
6. **Repeated letters** squeezed: a run of three or more of the same letter becomes two for
   letters that double in English words (`b c d e f g l m n o p r s t z`: `killlll → kill`,
   `assss → ass`, `sooo → soo`) and one for the others (`a h i j k q u v w x y`:
   `fuuuck → fuck`, `kiiiill → kill`); a run that is a whole token keeps two (`aaaa → aa`), so
   squeezing never makes a new single-letter word. Digits are never squeezed.

Web addresses (`http://…`, `www.…`) skip steps 3–6, so links survive intact.

This module is the specification and the **reference path**, `normalize_text_reference`.
Callers use `modgate.text.normalize_text` (`_normalize_fast`), which returns exactly the same
result, faster; a differential test holds the two together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import regex

from modgate.text._confusables import fold_mixed_script_token

MAX_EXPANSION = 18
"""The output is at most this many times longer than the input (NFKC's worst case, U+FDFA)."""

_INVISIBLE = [
    *range(0x00, 0x09),  # C0 controls, keeping tab (09), newline (0A) and carriage return (0D)
    0x0B,
    0x0C,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),  # DEL and C1 controls
    0x00AD,  # soft hyphen
    0x034F,  # combining grapheme joiner
    0x115F,  # Hangul fillers (used for blank names)
    0x1160,
    0x3164,
    0xFFA0,
    0x180E,  # Mongolian vowel separator
    0x200B,  # zero-width space
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    0xFEFF,  # BOM / zero-width no-break space
    *range(0xE0000, 0xE0080),  # tag characters
]
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_VARIATION = [*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]

_DELETE_INVISIBLE = dict.fromkeys(_INVISIBLE)
_DELETE_BIDI = dict.fromkeys(_BIDI)
_DELETE_VARIATION = dict.fromkeys(_VARIATION)
_JOINER_NEIGHBOUR = r"[\s\x21-\x7e\p{Latin}\p{Cyrillic}\p{Greek}\p{Nd}]"
_JOINERS = regex.compile(
    rf"(?<={_JOINER_NEIGHBOUR})[\u200c\u200d]+|[\u200c\u200d]+(?={_JOINER_NEIGHBOUR})"
)

# Any whitespace other than one plain space: runs, tabs, line breaks (`kill\n  you`).
_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
# Combining marks that NFKC could not compose onto a Latin letter: strikethrough (k̶i̶l̶l̶),
# stacked "zalgo" marks. Real accented Latin text is precomposed by NFKC, so it keeps its accents.
_LATIN_MARKS = regex.compile(r"(?<=\p{Latin}[\p{Mn}\p{Me}]*)[\p{Mn}\p{Me}]+")
_MAX_ROUNDS = 4
_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|www\.)\S+")

# 3. Spacing: single characters (letters, digits, @, $) joined by one repeated separator.
_SPACED = re.compile(
    r"(?<![^\W_])(?<![@$])"
    r"(?:[^\W_]|[@$])"
    r"(?P<sep>\s{1,3}|\s?[.\-_*~/·]\s?)"
    r"(?:(?:[^\W_]|[@$])(?P=sep))+"
    r"(?:[^\W_]|[@$])"
    r"(?![^\W_])(?![@$])"
)
_LETTER = re.compile(r"[^\W\d_]")

# 4. Homoglyphs: letter runs that contain a non-ASCII letter.
_LETTER_RUN = re.compile(r"[^\W\d_]+")

# 5. Leetspeak.
_LEET = str.maketrans("0134578@$!|+9", "oieastbasilt" + "g")
_DELETE_LEET = dict.fromkeys(map(ord, "0134578@$!|+9"))
_DELETE_ASCII_LETTERS = dict.fromkeys(range(ord("a"), ord("z") + 1))
_LEET_CANDIDATE = re.compile(r"[0-9@$!|+]")
# Whole tokens (runs of letters, digits and leet symbols) that contain a leet character.
_LEET_TOKEN = re.compile(
    r"(?<![^\W_])(?<![@$!|+])(?:[^\W_]|[@$!|+])*?[0-9@$!|+](?:[^\W_]|[@$!|+])*"
)
_NUMBER_LIKE = re.compile(r"[0-9]+[a-z]+|[a-z]+[0-9]+")
_LEET_INTERIOR = re.compile(r"[a-z][0-9@$!|+]+[a-z]")

# 6. Repeated letters.
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLING = frozenset("bcdefglmnoprstz")


@dataclass(frozen=True, slots=True)
class NormalizationChanges:
    """What normalization changed, counted by kind (so evasion can be measured).

    A plain dataclass rather than a pydantic model: it is built once per text on the hot path
    and never crosses a process boundary on its own.
    """

    invisible: int = 0
    """Zero-width and other invisible or control characters removed."""
    bidi: int = 0
    """Bidirectional control characters removed."""
    variation_selectors: int = 0
    """Variation selectors removed (also present in innocent emoji)."""
    compatibility: int = 0
    """Characters NFKC rewrote (full-width, mathematical, ligatures, circled…)."""
    confusables: int = 0
    """Letters folded from another script in mixed-script tokens."""
    leet: int = 0
    """Leetspeak characters folded to letters."""
    spacing: int = 0
    """Runs of spaced-out single characters collapsed into a word."""
    repeats: int = 0
    """Runs of three or more repeated letters squeezed."""
    whitespace: int = 0
    """Runs of whitespace (several spaces, tabs, line breaks) made one space."""
    marks: int = 0
    """Combining marks left on Latin letters after NFKC (strikethrough, "zalgo") removed."""

    @property
    def evasion_signals(self) -> int:
        """Changes that suggest deliberate obfuscation (variation selectors and NFKC excluded)."""
        return self.invisible + self.bidi + self.marks + self.confusables + self.leet + self.spacing


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalized text and the record of what changed."""

    text: str
    """The normalized text."""
    changes: NormalizationChanges = field(default_factory=NormalizationChanges)
    """What normalization changed, by kind."""


_NO_CHANGES = NormalizationChanges()


def normalize_text_reference(text: str) -> NormalizedText:
    """The reference implementation of `normalize_text`: every step as specified above.

    `modgate.text.normalize_text` (in `_normalize_fast`) must return exactly what this returns,
    text and change record alike; a differential test checks it on the shared data sets and on
    generated adversarial text. Kept simple rather than fast: change the behaviour here first.
    """
    invisible = bidi = variation = compatibility = confusables = whitespace = marks = 0
    if text.isascii():
        if not text.isprintable():
            before = len(text)
            text = text.translate(_DELETE_INVISIBLE)
            invisible = before - len(text)
            text, whitespace = _WHITESPACE.subn(" ", text)
        elif "  " in text:
            text, whitespace = _WHITESPACE.subn(" ", text)
        text = text.lower()
    else:
        text, invisible, bidi, variation = _remove_invisible(text)
        text, compatibility = _compatibility_fold(text)
        if _LATIN_MARKS.search(text):
            text, marks, joiners = _strip_latin_marks(text)
            invisible += joiners
        text, whitespace = _WHITESPACE.subn(" ", text)
    text, (spacing, confusables, leet, repeats) = _fold_text(text)
    rounds = 1
    while (spacing or confusables or leet) and not text.isascii() and rounds < _MAX_ROUNDS:
        # Rare: a fold put a Latin letter before a combining mark, which NFKC now composes or
        # the mark rule removes; repeat until nothing moves, so the result is a fixed point.
        # A folded letter may now carry a mark of its own, or sit next to a joiner.
        renormalized, stripped_marks, joiners = _strip_latin_marks(text)
        marks += stripped_marks
        invisible += joiners
        again, more = _fold_text(renormalized)
        if again == text:
            break
        text = again
        spacing, confusables, leet, repeats = (
            a + b for a, b in zip((spacing, confusables, leet, repeats), more, strict=True)
        )
        rounds += 1
    if not (invisible or bidi or variation or compatibility or confusables or leet or marks):
        if not (spacing or repeats or whitespace):
            return NormalizedText(text, _NO_CHANGES)
    return NormalizedText(
        text,
        NormalizationChanges(
            invisible=invisible,
            bidi=bidi,
            variation_selectors=variation,
            compatibility=compatibility,
            confusables=confusables,
            leet=leet,
            spacing=spacing,
            repeats=repeats,
            whitespace=whitespace,
            marks=marks,
        ),
    )


def _strip_latin_marks(text: str) -> tuple[str, int, int]:
    """Remove marks left on Latin letters; then joiners that now touch a letter. Counts both."""
    stripped = _LATIN_MARKS.sub("", text)
    marks = len(text) - len(stripped)
    joiners = 0
    if "\u200c" in stripped or "\u200d" in stripped:
        before = len(stripped)
        stripped = _JOINERS.sub("", stripped)
        joiners = before - len(stripped)
    return unicodedata.normalize("NFKC", stripped), marks, joiners


def _remove_invisible(text: str) -> tuple[str, int, int, int]:
    before = len(text)
    text = _JOINERS.sub("", text.translate(_DELETE_INVISIBLE))
    invisible = before - len(text)
    before = len(text)
    text = text.translate(_DELETE_BIDI)
    bidi = before - len(text)
    before = len(text)
    text = text.translate(_DELETE_VARIATION)
    return text, invisible, bidi, before - len(text)


def _compatibility_fold(text: str) -> tuple[str, int]:
    changed = 0
    if not unicodedata.is_normalized("NFKC", text):
        changed = sum(1 for c in text if not unicodedata.is_normalized("NFKC", c))
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if not unicodedata.is_normalized("NFKC", text):  # lower-casing can denormalize (İ → i̇)
        text = unicodedata.normalize("NFKC", text)
    # Removing invisibles after NFKC could expose new sequences, so it ran first; NFKC itself
    # can produce none of them, bar the joiner rule, which is re-applied for the rare case.
    if "\u200c" in text or "\u200d" in text:
        text = _JOINERS.sub("", text)
    return text, changed


def _fold_text(text: str) -> tuple[str, tuple[int, int, int, int]]:
    if "://" not in text and "www." not in text:
        return _fold_words(text)
    parts: list[str] = []
    counts = (0, 0, 0, 0)
    last = 0
    for match in _URL.finditer(text):
        piece, piece_counts = _fold_words(text[last : match.start()])
        parts.extend((piece, match.group()))
        counts = tuple(a + b for a, b in zip(counts, piece_counts, strict=True))  # type: ignore[assignment]
        last = match.end()
    piece, piece_counts = _fold_words(text[last:])
    parts.append(piece)
    counts = tuple(a + b for a, b in zip(counts, piece_counts, strict=True))  # type: ignore[assignment]
    return "".join(parts), counts


def _fold_words(text: str) -> tuple[str, tuple[int, int, int, int]]:
    spacing = confusables = leet = repeats = 0
    ascii_text = text.isascii()
    if (not ascii_text or _may_be_spaced(text)) and _SPACED.search(text):
        text, spacing = _collapse_spacing(text)
        ascii_text = text.isascii()
    if not ascii_text:
        text, confusables = _fold_confusables(text)
        if confusables and not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)  # a folded letter + combining mark
    if _LEET_CANDIDATE.search(text):
        text, leet = _fold_leet(text)
    if (not text.isascii() or _may_repeat(text)) and _REPEAT.search(text):
        text, repeats = _squeeze_repeats(text)
    return text, (spacing, confusables, leet, repeats)


# Fast pre-checks for ASCII text (most traffic), each a superset of what its regex finds, so
# the slow regexes run only on the few texts that may need them.
_CLASSES = bytes(
    ord("a")
    if chr(b).isalnum() or chr(b) in "@$"
    else ord(" ")
    if chr(b).isspace()
    else ord(".")
    if chr(b) in ".-_*~/"
    else ord("#")
    for b in range(256)
)


def _may_be_spaced(text: str) -> bool:
    shape = text.encode("ascii").translate(_CLASSES)
    return (
        b"a a a" in shape
        or b"a.a.a" in shape
        or b"a . a . a" in shape
        or b"a. a. a" in shape
        or b"a .a .a" in shape
        or b"a  a  a" in shape
        or b"a   a" in shape
    )


def _may_repeat(text: str) -> bool:
    # True when some byte is repeated three times in a row (b[i] == b[i+1] == b[i+2]). With
    # the bytes as one big integer, x ^ (x >> 8) has a zero byte where two neighbours are
    # equal; OR-ing it with itself shifted leaves a zero byte where three are; the classic
    # "has a zero byte" test, (v - 0x0101…) & ~v & 0x8080…, is exact for existence at any width.
    size = len(text)
    if size < 3:
        return False
    x = int.from_bytes(text.encode("ascii"), "big")
    pairs = x ^ (x >> 8)
    triples = (pairs | (pairs >> 8)) & _low_bytes_mask(size - 2)
    ones = _ONES[size - 2] if size - 2 < len(_ONES) else int.from_bytes(b"\x01" * (size - 2), "big")
    high = ones << 7
    return bool((triples - ones) & ~triples & high)


_ONES = [int.from_bytes(b"\x01" * n, "big") for n in range(512)]


def _low_bytes_mask(count: int) -> int:
    return (1 << (8 * count)) - 1


def _collapse_spacing(text: str) -> tuple[str, int]:
    count = 0

    def collapse(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group()
        chars = run[:: len(match.group("sep")) + 1]
        if len(_LETTER.findall(chars)) < 2:
            return run
        count += 1
        return chars

    return _SPACED.sub(collapse, text), count


def _fold_confusables(text: str) -> tuple[str, int]:
    count = 0

    def fold(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group()
        if token.isascii():
            return token
        folded, changed = fold_mixed_script_token(token)
        count += changed
        return folded

    return _LETTER_RUN.sub(fold, text), count


def _fold_leet(text: str) -> tuple[str, int]:
    count = 0

    def fold(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group()
        core = token.lstrip("@!|+")
        head = token[: len(token) - len(core)]
        stripped = core.rstrip("!|+@")
        tail = core[len(stripped) :]
        core = stripped
        if not core or not core.isascii() or _NUMBER_LIKE.fullmatch(core):
            return token
        leets = len(core) - len(core.translate(_DELETE_LEET))
        letters = len(core) - len(core.translate(_DELETE_ASCII_LETTERS))
        if not leets or not letters:
            return token
        if letters < leets and not _LEET_INTERIOR.search(core):
            return token
        count += leets
        return head + core.translate(_LEET) + tail

    return _LEET_TOKEN.sub(fold, text), count


def _squeeze_repeats(text: str) -> tuple[str, int]:
    count = 0
    end = len(text)

    def squeeze(match: re.Match[str]) -> str:
        nonlocal count
        letter = match.group(1)
        start, stop = match.span()
        alone = (start == 0 or not text[start - 1].isalnum()) and (
            stop == end or not text[stop].isalnum()
        )
        count += 1
        if alone or letter in _DOUBLING or not letter.isascii():
            return letter * 2
        return letter

    return _REPEAT.sub(squeeze, text), count
