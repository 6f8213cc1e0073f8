"""Spans of an item's text to mask for the reviewer until revealed (pure).

The terms come from the rule sets registered for the policy (their keyword lists: slurs,
threat phrases, profanity — see `_repo.sensitive_terms`), so masking follows what the
platform's own rules call out; no lexicon is invented here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex


def _term_pattern(term: str) -> str:
    # Word-bounded where the term starts/ends with a word character; inner whitespace may be
    # any run of whitespace (`kill  yourself`).
    parts = [regex.escape(p) for p in term.split()]
    body = r"\s+".join(parts)
    start = r"(?<!\w)" if term[:1].isalnum() else ""
    end = r"(?!\w)" if term[-1:].isalnum() else ""
    return f"{start}{body}{end}"


def merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sort spans and merge those that overlap or touch; empty spans are dropped."""
    out: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((a, b) for a, b in out)


def find_sensitive_spans(
    text: str, terms: Sequence[str], *, extra: Iterable[tuple[int, int]] = ()
) -> tuple[tuple[int, int], ...]:
    """Character spans of `text` where any term occurs (case-insensitive, whole words).

    Args:
        text: The text shown to the reviewer.
        terms: Terms to mask (keywords of the policy's rule sets).
        extra: Spans found otherwise (e.g. where a rule's regex matched the raw text).

    Returns:
        Sorted, non-overlapping (start, end) spans, `end` exclusive.
    """
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    found: list[tuple[int, int]] = [(a, b) for a, b in extra if 0 <= a < b <= len(text)]
    if cleaned and text:
        pattern = regex.compile(
            "|".join(_term_pattern(t) for t in cleaned), regex.IGNORECASE | regex.V1
        )
        found.extend(m.span() for m in pattern.finditer(text))
    return merge_spans(found)


def mask_text(text: str, spans: Sequence[tuple[int, int]], char: str = "█") -> str:
    """`text` with every span replaced by `char` (same length, so offsets still hold)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            if not chars[i].isspace():
                chars[i] = char
    return "".join(chars)
