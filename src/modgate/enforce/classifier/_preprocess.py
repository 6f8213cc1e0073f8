"""Text preprocessing and tokenization shared by training and prediction (pure).

Every feature extractor calls `preprocess_text` and nothing else: the shared evasion-resistant
normalization of `modgate.text` (NFKC, invisible and bidi characters, case, spacing tricks,
mixed-script homoglyphs, leetspeak, repeated letters), so `k1ll`, `k i l l` and `kіll` reach the
model as the same word.

A fitted model records `PREPROCESSING`; a model fitted under other preprocessing is refused at
load time (its features would silently mean something else).
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from modgate.text import normalize_text

PREPROCESSING = "modgate.text.normalize_text/1"
"""Identifies the preprocessing; bump it whenever `preprocess_text` changes behaviour."""

# ASCII punctuation becomes a separator, so tokens are `str.split()` of the result (C speed).
_SEPARATE = {ord(c): " " for c in string.punctuation}


def preprocess_text(text: str) -> str:
    """Normalize text for the classifier with `modgate.text.normalize_text`.

    Args:
        text: Raw item text.

    Returns:
        The normalized text.
    """
    return normalize_text(text).text


def word_tokens(text: str) -> list[str]:
    """Words of already preprocessed text: ASCII punctuation separates, whitespace splits."""
    return text.translate(_SEPARATE).split()


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """`preprocess_text` of each text.

    The first step of every classifier pipeline (in sklearn's `FunctionTransformer`), so a text
    is normalized once even when several feature families read it.
    """
    normalize = normalize_text  # `preprocess_text` inlined: one call per text fewer
    return [normalize(text).text for text in texts]


class WordNgramAnalyzer:
    """Word n-grams (1..`ngram_max`) of normalized text; a picklable sklearn `analyzer`.

    Faster than sklearn's built-in word analyzer (one C-level translate + split instead of a
    regex, pairs built with `zip`), which matters for the `fast` profile's throughput target.
    """

    def __init__(self, ngram_max: int = 2) -> None:
        if ngram_max < 1:
            raise ValueError(f"ngram_max must be >= 1, got {ngram_max}")
        self.ngram_max = ngram_max

    def __call__(self, text: str) -> list[str]:
        """The n-grams of one normalized text (see `normalize_texts`)."""
        tokens = text.translate(_SEPARATE).split()
        grams = list(tokens)
        for n in range(2, self.ngram_max + 1):
            if n == 2:
                grams.extend([a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)])
            else:
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordNgramAnalyzer) and other.ngram_max == self.ngram_max

    def __hash__(self) -> int:
        return hash(("WordNgramAnalyzer", self.ngram_max))

    def __repr__(self) -> str:
        return f"WordNgramAnalyzer(ngram_max={self.ngram_max})"


__all__ = [
    "PREPROCESSING",
    "normalize_texts",
    "WordNgramAnalyzer",
    "preprocess_text",
    "word_tokens",
]
