r"""AutoModerator's regex dialect: Python 2 `re`, rewritten for Python 3 `re` with its meaning.

The reference AutoModerator ran on Python 2, whose `re` differs from Python 3's in two ways that
real configurations rely on:

* **Global inline flags anywhere.** Python 2 accepted `(?i)` (and `(?s)`, `(?m)`, `(?x)`,
  `(?u)`) at any place in a pattern, even inside a group (`((?i)spam)`), and applied it to the
  *whole* pattern — including the other values of the same check, which AutoModerator joins
  into one alternation. Python 3.11 refuses a global flag that is not at the very start. The
  flags are therefore lifted out of every value and put in front of the pattern, which is
  exactly Python 2's meaning.
* **Unknown escapes.** Python 2 read an escaped ASCII letter it did not know (`\q`, `\e`, and
  also `\u`, `\U`, `\N`, which Python 2's `re` had no escape for) as the letter itself; Python 3
  refuses them (or reads `\u` as a code point). They become the plain letter.

Scoped flags (`(?i:…)`) did not exist in Python 2; they are accepted and keep Python 3's
meaning (a deliberate difference: docs/automod.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

_GLOBAL_FLAG = re.compile(r"\(\?([aiLmsux]+)\)")
# Escapes Python 2's `re` knew (letters); any other escaped ASCII letter is the letter itself.
_PY2_LETTER_ESCAPES = frozenset("abBdDfnrsStvwWxZA")


@lru_cache(maxsize=4096)  # pure; a check's values are split once per item-kind variant
def global_flags(pattern: str) -> tuple[str, str]:
    """Split a Python 2 pattern into its global inline flags and the pattern without them.

    Args:
        pattern: A pattern in AutoModerator's (Python 2 `re`) dialect.

    Returns:
        The flag letters (sorted, each once; `L` and `u` dropped, see below) and the pattern with
        every global flag group removed and unknown letter escapes turned into the letter. `u`
        is Python 3's default for text; `L` (locale) cannot apply to text patterns in Python 3
        and is kept, so that compiling the result reports it.
    """
    flags: set[str] = set()
    out: list[str] = []
    i, size = 0, len(pattern)
    in_class = False
    while i < size:
        char = pattern[i]
        if char == "\\" and i + 1 < size:
            following = pattern[i + 1]
            if following.isascii() and following.isalpha() and following not in _PY2_LETTER_ESCAPES:
                out.append(following)
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "]" and not _class_opening(out):
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            continue
        found = _GLOBAL_FLAG.match(pattern, i) if char == "(" else None
        if found is not None:
            flags.update(found[1])
            i = found.end()
            continue
        out.append(char)
        i += 1
    flags.discard("u")
    return "".join(sorted(flags)), "".join(out)


def _class_opening(out: list[str]) -> bool:
    """Whether a `]` just read is the class's first member (`[]…]`, `[^]…]`): a literal."""
    return bool(out) and (out[-1] == "[" or (out[-1] == "^" and len(out) > 1 and out[-2] == "["))


def python3_pattern(pattern: str) -> str:
    """A Python 3 `re` pattern with the meaning Python 2 `re` gave `pattern`.

    Args:
        pattern: A whole pattern (values joined, the method's template around them).

    Returns:
        The pattern with its global inline flags moved to the start.
    """
    flags, body = global_flags(pattern)
    return f"(?{flags}){body}" if flags else body
