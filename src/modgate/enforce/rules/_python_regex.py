r"""Rewrite a Python `re` pattern so that RE2 or the `regex` module gives it the same meaning.

AutoModerator's regexes are Python `re` patterns. Written as they are, some constructs mean
something else on the rule set's engines: RE2's `\w`, `\b`, `\d`, `\s` are ASCII-only and its
`$` matches only at the very end; the `regex` module counts combining marks, superscript digits
and connector punctuation as word characters. Python's own parser (`re._parser`) reads the
pattern into a tree, and this module writes the tree back with every such construct spelled out:

* `\w` → `[\p{L}\p{N}_]` (exactly Python's `str.isalnum()` or `_`), `\d` → `\p{Nd}`,
  `\s` → Python's whitespace set, and their negations;
* `\b` / `\B` → lookarounds over that word class; `$` → `(?=\n?\z)`; `\Z` → `\z`;
* `.` → `(?s:.)` or `[^\n]` by the DOTALL flag; `^`/`$` under MULTILINE keep `(?m:…)`;
* ASCII punctuation → `\.`, ASCII controls → `\xHH`, other characters as they are;
* named groups → numbered groups, backreferences → `\g<n>` shifted by the caller's offset.

The result keeps RE2 when it has no lookaround or backreference, else the rule set falls back
to the `regex` module — with, now, Python's meaning either way. Case-insensitivity of the
whole check is left to the caller (the rule set adds `(?i)`); scoped `(?i:…)` groups are kept,
and a leading global `(?i)` becomes a `(?i:…)` around the whole result.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

_PARSER: Any = importlib.import_module("re._parser")
_MAXREPEAT: int = importlib.import_module("re._constants").MAXREPEAT
_LITERAL: Any = importlib.import_module("re._constants").LITERAL
_LITERAL_TEXT: dict[int, str] = {}
"""How `_literal` writes each code point seen (bounded)."""
_LITERAL_CACHE_SIZE = 4096

WORD_CLASS = r"\p{L}\p{N}_"
r"""Python's `\w` (letters and digits of any script, and `_`), for use inside `[...]`."""
_SPACE_CLASS = "\\t-\\r\\x1c-\\x20\x85\\p{Z}"
_ASCII = {"WORD": "A-Za-z0-9_", "DIGIT": "0-9", "SPACE": r"\t-\r "}
_UNICODE = {"WORD": WORD_CLASS, "DIGIT": r"\p{Nd}", "SPACE": _SPACE_CLASS}
_PLAIN = re.compile(r"[A-Za-z0-9_ ]")
# One character, escape or bracket class: needs no group before a repeat.
_ATOM = re.compile(r"[^\\()\[\]|?*+{}.^$]|\\x[0-9a-f]{2}|\\.|\[[^()\[\]]*\]|\(\?s:\.\)")


class UnconvertibleRegexError(ValueError):
    """The pattern uses a construct this rewriter does not know."""


@lru_cache(maxsize=4096)  # pure; the same pattern is converted once per item-kind variant
def convert_python_regex(pattern: str, *, dotall: bool = True, group_offset: int = 0) -> str:
    """Rewrite a Python `re` pattern for RE2 / the `regex` module, keeping its meaning.

    Args:
        pattern: The Python regular expression.
        dotall: Whether `.` matches newlines (AutoModerator compiles with DOTALL).
        group_offset: Groups the caller wraps around the result (backreferences shift by it).

    Returns:
        The equivalent pattern.

    Raises:
        re.error: The pattern is not a valid Python regex.
        UnconvertibleRegexError: It uses a construct the rewriter does not handle.
    """
    flags = re.DOTALL if dotall else 0
    parsed = _PARSER.parse(pattern, flags)
    written = _Writer(parsed.state.flags, group_offset).sequence(parsed)
    if parsed.state.flags & re.IGNORECASE:  # a leading global `(?i)`: keep it, scoped
        written = f"(?i:{written})"
    return written


class _Writer:
    def __init__(self, flags: int, group_offset: int) -> None:
        self.flags = flags
        self.offset = group_offset

    def sequence(self, items: Any) -> str:
        out: list[str] = []
        for op, av in items:
            if op is _LITERAL:  # most of a long alternation: one lookup, not a dispatch
                text = _LITERAL_TEXT.get(av)
                if text is None:
                    text = _literal(av)
                    if len(_LITERAL_TEXT) < _LITERAL_CACHE_SIZE:
                        _LITERAL_TEXT[av] = text
                out.append(text)
            else:
                out.append(self.item(op, av))
        return "".join(out)

    def item(self, op: Any, av: Any) -> str:
        name = str(op)
        if name == "LITERAL":
            return _literal(av)
        if name == "NOT_LITERAL":
            return f"[^{_class_literal(av)}]"
        if name == "ANY":
            return "(?s:.)" if self.flags & re.DOTALL else r"[^\n]"
        if name == "IN":
            return self.char_set(av)
        if name == "CATEGORY":
            return self.char_set([(op, av)])
        if name == "BRANCH":
            return "(?:" + "|".join(self.sequence(branch) for branch in av[1]) + ")"
        if name == "SUBPATTERN":
            return self.group(*av)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = av
            bound = f"{{{low},}}" if high == _MAXREPEAT else f"{{{low},{high}}}"
            suffix = {"MAX_REPEAT": "", "MIN_REPEAT": "?", "POSSESSIVE_REPEAT": "+"}[name]
            inner = self.sequence(body)
            if not _ATOM.fullmatch(inner):
                inner = f"(?:{inner})"
            bound = {"{0,}": "*", "{1,}": "+", "{0,1}": "?"}.get(bound, bound)
            return f"{inner}{bound}{suffix}"
        if name == "AT":
            return self.anchor(str(av))
        if name == "GROUPREF":
            return rf"\g<{av + self.offset}>"
        if name == "GROUPREF_EXISTS":
            group, yes, no = av
            other = "|" + self.sequence(no) if no is not None else ""
            return f"(?({group + self.offset}){self.sequence(yes)}{other})"
        if name in ("ASSERT", "ASSERT_NOT"):
            direction, body = av
            look = "<" if direction < 0 else ""
            sign = "=" if name == "ASSERT" else "!"
            return f"(?{look}{sign}{self.sequence(body)})"
        if name == "ATOMIC_GROUP":
            return f"(?>{self.sequence(av)})"
        raise UnconvertibleRegexError(f"regex construct {name} is not supported")

    def group(self, number: int | None, add: int, remove: int, body: Any) -> str:
        saved = self.flags
        self.flags = (self.flags | add) & ~remove
        try:
            inner = self.sequence(body)
        finally:
            self.flags = saved
        if add & re.IGNORECASE:
            inner = f"(?i:{inner})"
        elif remove & re.IGNORECASE:
            inner = f"(?-i:{inner})"
        return f"({inner})" if number is not None else f"(?:{inner})"

    def classes(self) -> dict[str, str]:
        return _ASCII if self.flags & re.ASCII else _UNICODE

    def word(self) -> str:
        return f"[{self.classes()['WORD']}]"

    def anchor(self, at: str) -> str:
        multiline = bool(self.flags & re.MULTILINE)
        word = self.word()
        if at == "AT_BEGINNING":
            return "(?m:^)" if multiline else "^"
        if at == "AT_BEGINNING_STRING":
            return r"\A"
        if at == "AT_END":
            return "(?m:$)" if multiline else r"(?=\n?\z)"
        if at == "AT_END_STRING":
            return r"\z"
        if at == "AT_BOUNDARY":
            return f"(?:(?<={word})(?!{word})|(?<!{word})(?={word}))"
        if at == "AT_NON_BOUNDARY":
            # Python's \B matches nowhere in an empty string.
            return rf"(?:(?<={word})(?={word})|(?<!{word})(?!{word})(?:(?=[\s\S])|(?<=[\s\S])))"
        raise UnconvertibleRegexError(f"anchor {at} is not supported")

    def char_set(self, members: list[tuple[Any, Any]]) -> str:
        negate = False
        positive: list[str] = []
        negative: list[str] = []  # classes of negated categories, e.g. \W
        for op, av in members:
            name = str(op)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                positive.append(_class_literal(av))
            elif name == "RANGE":
                positive.append(f"{_class_literal(av[0])}-{_class_literal(av[1])}")
            elif name == "CATEGORY":
                category = str(av).removeprefix("CATEGORY_")
                base = category.removeprefix("NOT_")
                if base not in _UNICODE:
                    raise UnconvertibleRegexError(f"category {category} is not supported")
                (negative if category.startswith("NOT_") else positive).append(self.classes()[base])
            else:
                raise UnconvertibleRegexError(f"character set member {name} is not supported")
        alternatives = ([f"[{''.join(positive)}]"] if positive else []) + [
            f"[^{cls}]" for cls in negative
        ]
        if not negative:
            if not positive:
                return r"[\s\S]" if negate else "(?!)"
            return f"[^{''.join(positive)}]" if negate else alternatives[0]
        union = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return rf"(?!{union})[\s\S]" if negate else union


def _literal(code: int) -> str:
    char = chr(code)
    if _PLAIN.fullmatch(char) or code > 127:
        return char  # both engines read UTF-8 literally
    if char.isprintable():
        return "\\" + char  # ASCII punctuation: a backslash escape both engines read
    return f"\\x{code:02x}"


def _class_literal(code: int) -> str:
    char = chr(code)
    if char.isalnum() or char in "_ " or code > 127:
        return char
    if char.isprintable():
        return "\\" + char
    return f"\\x{code:02x}"
