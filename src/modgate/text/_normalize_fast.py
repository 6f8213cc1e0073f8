"""`normalize_text`: the reference normalization (`_normalize`) with exact shortcuts. Pure.

The result — text and change record — is identical to `normalize_text_reference` on every input
(a differential test checks it on the shared data sets and on generated adversarial text). The
speed comes from proving, cheaply, that a step has nothing to do, and skipping it:

- **Character classes as bytes.** The text is encoded once to ASCII bytes (a non-ASCII character
  becomes `?`, which is valid only when no non-ASCII character is a letter, digit, whitespace or
  `·`: otherwise the reference step runs), and `bytes.translate` maps each byte to its class
  (letter, digit, `@$`, `!|+`, other) at C speed.
- **Spacing tricks** need three single characters (letter, digit, `@`, `$`) each between
  non-single characters, separated by one to three characters: one substring test on the class
  bytes rules that out for almost all text; where it cannot, the reference step runs.
- **Leetspeak** needs an ASCII digit or one of `@$!|+`; **repeated letters** need some byte three
  times in a row (tested on the bytes as one integer, see `_has_triple`).
- **Where leet or repeated letters may fold**, the text is folded token by token (tokens split
  at spaces; both folds are token-local), and bounded caches of tokens already seen — clean
  ones, and folded ones with their counts — answer the Zipf-shaped vocabulary of real comments.
- **Result objects** are built by filling their slots directly, and a change record is shared
  between texts with the same counts (both are frozen).
- **Invisible, bidi and variation characters**, **combining marks** and **NFKC** changes are
  looked for with one character-class search (or `unicodedata.is_normalized`) before the
  translate, regex or per-character count that removes or counts them.

Wherever a shortcut cannot prove its step idle, the reference step runs on the same text, so
the two paths can only differ if a shortcut is wrong — which is what the differential test
looks for.
"""

from __future__ import annotations

import re
import string
import unicodedata

import regex

from modgate.text._normalize import (
    _BIDI,
    _DELETE_INVISIBLE,
    _INVISIBLE,
    _JOINERS,
    _LATIN_MARKS,
    _LEET_CANDIDATE,
    _MAX_ROUNDS,
    _NO_CHANGES,
    _REPEAT,
    _SPACED,
    _URL,
    _VARIATION,
    _WHITESPACE,
    NormalizationChanges,
    NormalizedText,
    _collapse_spacing,
    _fold_leet,
    _fold_words,
    _remove_invisible,
    _squeeze_repeats,
    _strip_latin_marks,
)


def _char_class(codes: set[int]) -> str:
    """A regex character class of `codes` written as ranges.

    A long list of single astral code points would be matched one by one.
    """
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"


# Every character some invisible-removal step acts on, joiners included.
_ANY_HIDDEN = re.compile(_char_class({*_INVISIBLE, *_BIDI, *_VARIATION, 0x200C, 0x200D}))
_ANY_MARK = regex.compile(r"[\p{Mn}\p{Me}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A non-ASCII character that some folding regex treats as more than "other": a letter or
# digit (`\w`), whitespace (`\s`) or the spacing separator `·`.
_NON_ASCII_ACTIVE = re.compile(r"[^\W\x00-\x7f]|[^\S\x00-\x7f]|·")


def _shape_table(classes: dict[str, str]) -> bytes:
    """A `bytes.translate` table: each ASCII byte to the class of `classes` holding it.

    Every other byte becomes a space (as does the `?` standing in for a non-ASCII character).
    """
    table = bytearray(b" " * 256)
    for class_byte, members in classes.items():
        for char in members:
            table[ord(char)] = ord(class_byte)
    return bytes(table)


_LETTERS = string.ascii_letters
# What the spacing rule calls a single character (letter, digit, @, $) → `a`; the rest → space.
_SINGLE_SHAPE = _shape_table({"a": _LETTERS + string.digits + "@$"})
# Leet classes: letter `a`; digit, `$` → `0`; `@ ! | +` (stripped at a token's ends) → `!`.
_LEET_SHAPE = _shape_table({"a": _LETTERS, "0": string.digits + "$", "!": "@!|+"})
# Three singles between non-singles, separated by 1, 2 or 3 characters (the spacing rule's
# separators are `\s{1,3}` or `\s?[.\-_*~/·]\s?`), in the padded single-class bytes. The
# literal prefix lets the regex engine skip to single-character words.
_MAY_BE_SPACED = re.compile(rb" a (?:a a | a  a |  a   a )")
# A leet fold needs a letter and a leet character in a token's core (the token less its leading
# and trailing `@ ! | +`). Take the closest such pair: only `@ ! | +` lie between them, so the
# leet classes hold `a0`, `0a`, `a!…!0` or `0!…!a`; or the leet character is an inner
# `@ ! | +`, between letters or digits: `[a0]!…![a0]`. Written to start at the rare `0` or `!`.
_MAY_FOLD_LEET = re.compile(rb"0(?<=a0)|0a|!(?<=[a0]!)!*[a0]")


_new = object.__new__
_set_text = NormalizedText.__dict__["text"].__set__
_set_changes = NormalizedText.__dict__["changes"].__set__


def _result(text: str, changes: NormalizationChanges) -> NormalizedText:
    """`NormalizedText(text, changes)`, filling the slots directly.

    A frozen dataclass's `__init__` goes through `object.__setattr__` per field: a third of
    what a clean text costs otherwise.
    """
    result: NormalizedText = _new(NormalizedText)
    _set_text(result, text)
    _set_changes(result, changes)
    return result


_CHANGES_CACHE: dict[tuple[int, ...], NormalizationChanges] = {}
_CHANGES_CACHE_SIZE = 4096


def _changes(*counts: int) -> NormalizationChanges:
    """`NormalizationChanges(*counts)` from a bounded cache.

    It is frozen, so texts with the same counts (few combinations recur) can share one.
    """
    found = _CHANGES_CACHE.get(counts)
    if found is None:
        found = NormalizationChanges(*counts)
        if len(_CHANGES_CACHE) >= _CHANGES_CACHE_SIZE:
            _CHANGES_CACHE.clear()
        _CHANGES_CACHE[counts] = found
    return found


def normalize_text(text: str) -> NormalizedText:
    """Normalize text against evasion: invisibles, NFKC, case, spacing, homoglyphs, leet, repeats.

    Plain lower-case ASCII prose comes back unchanged; whole words in Cyrillic, Greek or other
    scripts are not folded. Never raises on any `str`; idempotent. The steps and their order
    are documented in `modgate.text._normalize`; this is the same function, made fast.

    Args:
        text: Any text.

    Returns:
        The normalized text and a count of each kind of change.

    Example:
        >>> normalize_text("K\u200bi\u200bl\u200bl").text
        'kill'
        >>> normalize_text("k1ll the m0d, it's 2024").text
        "kill the mod, it's 2024"
    """
    if not text.isascii():
        return _normalize_any(text)
    invisible = whitespace = 0
    if not text.isprintable():
        before = len(text)
        text = text.translate(_DELETE_INVISIBLE)
        invisible = before - len(text)
        text, whitespace = _WHITESPACE.subn(" ", text)
    elif "  " in text:
        text, whitespace = _WHITESPACE.subn(" ", text)
    text = text.lower()
    if (":" in text and "://" in text) or "www." in text:
        text, (spacing, _, leet, repeats) = _fold_text_fast(text)
    else:
        # `_fold_words_fast`, inlined for the commonest case: nothing to fold.
        data = text.encode("ascii")
        if _MAY_BE_SPACED.search(b" " + data.translate(_SINGLE_SHAPE) + b" "):
            text, (spacing, _, leet, repeats) = _fold_words_fast(text)
        else:
            spacing = 0
            leets = data.translate(_LEET_SHAPE)
            if (leets.translate(None, b"a ") and _MAY_FOLD_LEET.search(leets)) or _has_triple(data):
                text, leet, repeats = _fold_tokens(text)
            elif invisible or whitespace:
                leet = repeats = 0
            else:
                return _result(text, _NO_CHANGES)
    # ASCII stays ASCII through every fold, so the reference's repeat-until-stable loop (which
    # only runs on non-ASCII text) never runs here.
    if not (invisible or leet or spacing or repeats or whitespace):
        return _result(text, _NO_CHANGES)
    return _result(text, _changes(invisible, 0, 0, 0, 0, leet, spacing, repeats, whitespace, 0))


def _normalize_any(text: str) -> NormalizedText:
    """`normalize_text_reference` with the pre-checks; for text with non-ASCII characters."""
    marks = 0
    if _ANY_HIDDEN.search(text):
        text, invisible, bidi, variation = _remove_invisible(text)
    else:
        invisible = bidi = variation = 0
    text, compatibility = _compatibility_fold_fast(text)
    if _ANY_MARK.search(text) and _LATIN_MARKS.search(text):
        text, marks, joiners = _strip_latin_marks(text)
        invisible += joiners
    text, whitespace = _WHITESPACE.subn(" ", text)
    text, (spacing, confusables, leet, repeats) = _fold_text_fast(text)
    rounds = 1
    while (spacing or confusables or leet) and not text.isascii() and rounds < _MAX_ROUNDS:
        renormalized, stripped_marks, joiners = _strip_latin_marks(text)
        marks += stripped_marks
        invisible += joiners
        again, more = _fold_text_fast(renormalized)
        if again == text:
            break
        text = again
        spacing, confusables, leet, repeats = (
            a + b for a, b in zip((spacing, confusables, leet, repeats), more, strict=True)
        )
        rounds += 1
    if not (invisible or bidi or variation or compatibility or confusables or leet or marks):
        if not (spacing or repeats or whitespace):
            return _result(text, _NO_CHANGES)
    changes = _changes(
        invisible,
        bidi,
        variation,
        compatibility,
        confusables,
        leet,
        spacing,
        repeats,
        whitespace,
        marks,
    )
    return _result(text, changes)


def _compatibility_fold_fast(text: str) -> tuple[str, int]:
    """`_compatibility_fold`, counting NFKC changes over non-ASCII characters only.

    An ASCII character is its own NFKC form, so only non-ASCII ones can count.
    """
    changed = 0
    if not unicodedata.is_normalized("NFKC", text):
        changed = sum(
            1 for c in _NON_ASCII.findall(text) if not unicodedata.is_normalized("NFKC", c)
        )
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINERS.sub("", text)
    return text, changed


def _fold_text_fast(text: str) -> tuple[str, tuple[int, int, int, int]]:
    """`_fold_text` (links kept intact) over `_fold_words_fast`."""
    if "://" not in text and "www." not in text:
        return _fold_words_fast(text)
    parts: list[str] = []
    spacing = confusables = leet = repeats = 0
    last = 0
    for match in _URL.finditer(text):
        piece, (a, b, c, d) = _fold_words_fast(text[last : match.start()])
        parts.extend((piece, match.group()))
        spacing, confusables, leet, repeats = spacing + a, confusables + b, leet + c, repeats + d
        last = match.end()
    piece, (a, b, c, d) = _fold_words_fast(text[last:])
    parts.append(piece)
    return "".join(parts), (spacing + a, confusables + b, leet + c, repeats + d)


def _fold_words_fast(text: str) -> tuple[str, tuple[int, int, int, int]]:
    """`_fold_words(text)`, skipping each fold the class bytes prove idle."""
    if text.isascii():
        data = text.encode("ascii")
    elif _NON_ASCII_ACTIVE.search(text):
        return _fold_words(text)  # letters of other scripts, exotic spaces: the reference
    else:
        # Every non-ASCII character is "other" to every folding regex, like `?`; and with no
        # non-ASCII letter, no letter run can be mixed-script, so homoglyph folding is idle.
        data = text.encode("ascii", "replace")
    spacing = 0
    if _MAY_BE_SPACED.search(b" " + data.translate(_SINGLE_SHAPE) + b" ") and _SPACED.search(text):
        text, spacing = _collapse_spacing(text)  # only removes separators: still ASCII-like
        data = text.encode("ascii", "replace")
    if _MAY_FOLD_LEET.search(data.translate(_LEET_SHAPE)) or _has_triple(data):
        text, leet, repeats = _fold_tokens(text)
        return text, (spacing, 0, leet, repeats)
    return text, (spacing, 0, 0, 0)


# Bounded caches of tokens seen (each cleared when full): those folding leaves as they are,
# and those it changes, with the change and its counts.
_CLEAN_TOKENS: set[str] = set()
_FOLDED_TOKENS: dict[str, tuple[str, int, int]] = {}
_TOKEN_CACHE_SIZE = 1 << 16


def _fold_tokens(text: str) -> tuple[str, int, int]:
    """Leetspeak then repeated letters, token by token (tokens split at spaces), cached.

    Both folds are local to a space-separated token: their regexes match no space, and what
    they look at around a match (the character before a leet token, a run's neighbours) reads
    the same at a token's edge as at a space. So folding each token apart equals folding the
    text. Real comments reuse a Zipf-shaped vocabulary, so bounded caches of tokens already
    folded answer most tokens with a set difference instead of a regex.
    """
    parts = text.split(" ")
    unknown = set(parts).difference(_CLEAN_TOKENS)
    if not unknown:
        return text, 0, 0
    changed: dict[str, tuple[str, int, int]] = {}
    for token in unknown:
        hit = _FOLDED_TOKENS.get(token)
        if hit is None:
            folded, leet = _fold_leet(token) if _LEET_CANDIDATE.search(token) else (token, 0)
            repeats = 0
            if _REPEAT.search(folded):
                folded, repeats = _squeeze_repeats(folded)
            if not (leet or repeats):  # every fold that counts changes the token, and back
                if len(_CLEAN_TOKENS) >= _TOKEN_CACHE_SIZE:
                    _CLEAN_TOKENS.clear()
                _CLEAN_TOKENS.add(token)
                continue
            hit = (folded, leet, repeats)
            if len(_FOLDED_TOKENS) >= _TOKEN_CACHE_SIZE:
                _FOLDED_TOKENS.clear()
            _FOLDED_TOKENS[token] = hit
        changed[token] = hit
    if not changed:
        return text, 0, 0
    leet = repeats = 0
    for i, part in enumerate(parts):
        hit = changed.get(part)
        if hit is not None:
            parts[i], token_leet, token_repeats = hit
            leet += token_leet
            repeats += token_repeats
    return " ".join(parts), leet, repeats


_TRIPLE_MASKS: dict[int, tuple[int, int]] = {}
_MASK_CACHE_LENGTHS = 4096


def _has_triple(data: bytes) -> bool:
    """Whether some byte of ASCII `data` occurs three times in a row.

    With the bytes as one integer, `x ^ (x >> 8)` has a zero byte where two neighbours are
    equal, and OR-ing it with itself shifted by a byte leaves a zero byte where three are. Each
    byte is below 0x80 (ASCII), so adding 0x7f to every byte sets its high bit unless it is zero,
    with no carry into the next byte: a triple exists iff some high bit of the low `len - 2`
    bytes stays clear.
    """
    size = len(data)
    if size < 3:
        return False
    masks = _TRIPLE_MASKS.get(size)
    if masks is None:
        masks = (
            int.from_bytes(b"\x7f" * (size - 2), "big"),
            int.from_bytes(b"\x80" * (size - 2), "big"),
        )
        if size <= _MASK_CACHE_LENGTHS:
            _TRIPLE_MASKS[size] = masks
    sevens, highs = masks
    x = int.from_bytes(data, "big")
    pairs = x ^ (x >> 8)
    return ((pairs | (pairs >> 8)) + sevens) & highs != highs
