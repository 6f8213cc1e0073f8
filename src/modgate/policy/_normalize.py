"""Normalising example texts for comparison (contradiction lint, diff matching)."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_example_text(text: str) -> str:
    """Text as compared between examples: NFKC, case-folded, whitespace collapsed.

    Args:
        text: Example text.

    Returns:
        The normalised text; normalising it again changes nothing.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    # casefold can produce text that NFKC changes again (e.g. "ǰ"); settle it
    folded = unicodedata.normalize("NFKC", folded).casefold()
    folded = unicodedata.normalize("NFKC", folded)
    return _SPACE.sub(" ", folded).strip()
