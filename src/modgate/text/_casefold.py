"""Unicode case folding, the step the rule matcher applies after normalization. Pure.

`normalize_text` lower-cases (`str.lower`), which leaves `ſ` (long s), `ß`, `ﬅ`-style
ligatures NFKC keeps and Cherokee letters unfolded, so `bullſhit` reads differently from
`bullshit`. Matching needs full case folding (`str.casefold`: `ſ → s`, `ß → ss`, `ς → σ`); it
is kept as its own step, applied to a text and to the values it is matched against alike,
so `normalize_text`'s output (which the classifiers read) does not change.
"""

from __future__ import annotations


def casefold_text(text: str) -> str:
    """Fold case for caseless matching (Unicode full case folding).

    Args:
        text: Any text (typically `normalize_text(...).text`).

    Returns:
        `text.casefold()`; ASCII text takes a fast path with the same result. Idempotent.

    Example:
        >>> casefold_text("Bullſhit STRAẞE")
        'bullshit strasse'
    """
    if text.isascii():
        return text.lower()
    return text.casefold()
