r"""Script-aware homoglyph folding from Unicode's confusables table. Pure.

The table is Unicode's `confusables.txt` as shipped (in JSON form) by the maintained
`confusable-homoglyphs` package; nothing is downloaded at run time. Scripts come from the
`regex` module's `\p{Script=…}` properties (current Unicode data, unlike the package's own
script table).

Folding is **token-level and script-aware**: a token (a run of letters) is folded only when its
letters belong to more than one script, e.g. `kіll` with a Cyrillic `і`. Then the letters of the
other scripts are replaced by their look-alike in the token's target script, where Unicode lists
one. The target is Latin when the token has Latin letters and every other letter has a Latin
look-alike (`ѕhооt`, three Cyrillic letters of five); otherwise the script with most letters
(Latin wins ties), so a Latin `p` inside a Russian word folds to Cyrillic `р` (`пpивет`).
A token written wholly in Cyrillic, Greek or any other single script is left alone, so real
Russian, Ukrainian or Greek text passes through.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources

import regex

LATIN = "Latin"
CYRILLIC = "Cyrillic"
GREEK = "Greek"
OTHER = "Other"

# Scripts we fold *to*: the ones whose look-alikes attackers mix into words.
FOLD_TARGETS: tuple[str, ...] = (LATIN, CYRILLIC, GREEK)
# Scripts we recognise *from*; everything else that is a letter counts as OTHER.
_KNOWN_SCRIPTS: tuple[str, ...] = (
    LATIN,
    CYRILLIC,
    GREEK,
    "Armenian",
    "Cherokee",
    "Coptic",
    "Georgian",
    "Lisu",
    "Canadian_Aboriginal",
    "Tifinagh",
    "Vai",
    "Hebrew",
    "Arabic",
)
_SCRIPT_PATTERNS = tuple((name, regex.compile(rf"\p{{Script={name}}}")) for name in _KNOWN_SCRIPTS)
_COMMON = regex.compile(r"[\p{Script=Common}\p{Script=Inherited}]")

_script_cache: dict[str, str | None] = {}


def script_of(char: str) -> str | None:
    """The Unicode script of one character, or None for Common/Inherited characters.

    Args:
        char: A single character.

    Returns:
        A script name such as "Latin", "Cyrillic" or "Greek"; "Other" for letters of scripts we
        do not fold between (Han, Devanagari…); None for digits, punctuation and combining marks.
    """
    found = _script_cache.get(char)
    if found is not None or char in _script_cache:
        return found
    result: str | None = OTHER
    if _COMMON.match(char):
        result = None
    else:
        for name, pattern in _SCRIPT_PATTERNS:
            if pattern.match(char):
                result = name
                break
    _script_cache[char] = result
    return result


@functools.cache
def fold_tables() -> dict[str, dict[str, str]]:
    """Per target script, the map from a lower-case letter of another script to its look-alike.

    Built once from the confusables table: for every letter listed as confusable with a single
    letter of the target script, the lower-case letter maps to the lower-case look-alike. Entries
    listed for the lower-case letter itself win over those derived from its upper case (Cyrillic
    `к` is folded through `К` → `K`).
    """
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[str, list[dict[str, str]]] = json.loads(raw)
    tables: dict[str, dict[str, str]] = {target: {} for target in FOLD_TARGETS}
    for lower_first in (True, False):
        for key in sorted(table):
            if len(key) != 1 or not key.isalpha() or (key == key.lower()) != lower_first:
                continue
            source = key.lower()
            if len(source) != 1:
                continue
            source_script = script_of(source)
            candidates = sorted(
                {e["c"].lower() for e in table[key] if len(e["c"]) == 1 and e["c"].isalpha()}
            )
            for target in FOLD_TARGETS:
                if source_script == target or source in tables[target]:
                    continue
                for candidate in candidates:
                    if len(candidate) != 1 or script_of(candidate) != target:
                        continue
                    if not _stable_letter(candidate):
                        continue
                    if target == LATIN and not candidate.isascii():
                        continue
                    tables[target][source] = candidate
                    break
    return tables


def _stable_letter(char: str) -> bool:
    # A fold target must be a plain letter that NFKC and lower-casing leave alone (the Greek
    # ypogegrammeni `ͺ` is listed as confusable with `i` but NFKC turns it into a space and a
    # combining mark), or normalizing twice would not give the same text.
    return (
        unicodedata.category(char) in ("Ll", "Lo")
        and unicodedata.is_normalized("NFKC", char)
        and char.lower() == char
    )


def fold_mixed_script_token(token: str) -> tuple[str, int]:
    """Fold the minority-script letters of one mixed-script token.

    Args:
        token: A run of letters (as the normalizer cuts them).

    Returns:
        The folded token and how many characters changed (0 when the token is single-script).
    """
    counts: dict[str, int] = {}
    for char in token:
        script = script_of(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if len(counts) < 2:
        return token, 0
    tables = fold_tables()
    latin = tables[LATIN]
    if LATIN in counts and all(c in latin for c in token if script_of(c) not in (LATIN, None)):
        dominant = LATIN  # the whole token can be read as Latin: `ѕhооt`
    else:
        dominant = max(counts, key=lambda s: (counts[s], s == LATIN, s))
    if dominant not in FOLD_TARGETS:
        return token, 0
    table = tables[dominant]
    changed = 0
    out: list[str] = []
    for char in token:
        replacement = table.get(char) if script_of(char) not in (dominant, None) else None
        if replacement is None:
            out.append(char)
        else:
            out.append(replacement)
            changed += 1
    return "".join(out), changed
