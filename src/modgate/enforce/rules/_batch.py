r"""Batch prefilters: which items of a batch the automaton or an RE2 set could match at all.

`CompiledRuleSet.match_many` scans one field view of a whole batch at once, joined into one
text, and matches item by item (exactly as `match` does) only the items these prefilters
mark; every other item provably matches no text check, so it gets the empty result.

- **Aho–Corasick** (`automaton_marks`): a literal that occurs in an item's text occurs in the
  joined text at the same place, and the automaton reports every occurrence, overlapping ones
  included; the item that holds an occurrence's last character is marked. An occurrence
  across the separator only marks an item for nothing (it is then matched for real).
- **RE2 sets** (`re2_marks`): the texts are joined by `\n`, which no text of the chunk holds
  (items whose text does are marked outright), and each pattern is compiled with `(?m)`, so
  `^` and `$` match at each item's edges as they do at a lone text's; `\b` and `\B` read
  `\n` as the non-word edge of a lone text. A pattern that matches an item's text therefore
  matches the joined text at the same place: a chunk the set finds nothing in has no item
  any pattern matches. A chunk with a match is halved until its pieces are small, and their
  items marked (once most chunks of a batch match, the rest is marked outright: on such a
  batch halving costs more than it saves). Patterns using `\A`, `\z` or clearing a flag
  (`(?-m)`) are not eligible: their view is scanned item by item (see `batch_eligible`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

_RE2_CHUNK = 64
"""Items joined per RE2 set scan: a chunk that finds nothing clears them all."""
_RE2_LEAF = 4
"""A chunk with a match is halved until it is this small; its items are then marked."""
_SAMPLE_CHUNKS = 8
"""Chunks scanned before deciding that most chunks match (then the rest is marked outright)."""
_INELIGIBLE = re.compile(r"\\[Az]|\(\?[a-zA-Z]*-")


def batch_eligible(pattern: str) -> bool:
    r"""Whether an RE2 pattern keeps its matches when items are joined by `\n` under `(?m)`.

    Only the assertions can tell a lone text from the same text inside the joined one: `^`,
    `$` (line edges under `(?m)`), `\b`, `\B` (`\n` is a non-word character, like a text's
    edge) agree; `\A`, `\z` and a pattern that clears `m` do not. Conservative: a pattern
    that merely spells these (an escaped backslash) is scanned item by item too.
    """
    return _INELIGIBLE.search(pattern) is None


def starts_of(texts: Sequence[str], sep_len: int = 1) -> list[int]:
    """Offsets where each text starts in `sep.join(texts)` for a separator of `sep_len`."""
    return [0, *accumulate(len(text) + sep_len for text in texts[:-1])]


def automaton_marks(
    automaton: Any, texts: Sequence[str], wanted: Callable[[Any], bool], marked: set[int]
) -> None:
    """Mark the items whose text the automaton finds a wanted literal in (or may).

    Args:
        automaton: A built `ahocorasick.Automaton` whose values are payload tuples.
        texts: One view's text per item (`""` where it has none).
        wanted: Whether a payload has an entry for this view.
        marked: Item indexes, updated.
    """
    starts = starts_of(texts)
    add = marked.add
    for end, payload in automaton.iter("\x00".join(texts)):
        if wanted(payload):
            add(bisect_right(starts, end) - 1)


def re2_marks(re2_set: Any, texts: Sequence[str], marked: set[int]) -> None:
    """Mark the items of chunks an RE2 set (of `(?m)` patterns) finds a match in.

    Args:
        re2_set: A compiled `re2.Set` of `batch_eligible` patterns, each under `(?m)`.
        texts: One view's text per item (`""` where it has none).
        marked: Item indexes, updated.
    """
    chunks = hit = 0
    for start in range(0, len(texts), _RE2_CHUNK):
        indexes = range(start, min(start + _RE2_CHUNK, len(texts)))
        if chunks >= _SAMPLE_CHUNKS and hit * 2 > chunks:
            marked.update(indexes)  # most chunks match: halving would cost more than it saves
            continue
        plain = []
        for i in indexes:
            if "\n" in texts[i]:
                marked.add(i)  # the separator itself: matched item by item
            else:
                plain.append(i)
        chunks += 1
        hit += _halve(re2_set, texts, plain, marked)


def _halve(re2_set: Any, texts: Sequence[str], indexes: list[int], marked: set[int]) -> bool:
    """Mark the items of the small pieces of `indexes` the set matches; whether it matched."""
    if not indexes or not re2_set.Match("\n".join([texts[i] for i in indexes])):
        return False
    if len(indexes) <= _RE2_LEAF:
        marked.update(indexes)
        return True
    half = len(indexes) // 2
    _halve(re2_set, texts, indexes[:half], marked)
    _halve(re2_set, texts, indexes[half:], marked)
    return True
