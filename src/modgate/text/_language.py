"""Language identification with an offline model shipped inside its wheel. Pure.

We use `py3langid` (a maintained fork of langid.py: 97 languages, naive Bayes over byte n-grams,
a 4.5 MB model inside the wheel, numpy only). Measured on 2,000 Davidson tweets on one core it
takes about 40 µs per text after a 0.5 s one-off model load. `lingua-language-detector` is more
accurate on very short texts but took about 290 µs per text even in its low-accuracy mode and
weighs 96 MB installed, too slow to run on every item of a stream; it can be plugged in later as
an enforcer-side option if short-text accuracy matters more than throughput.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_CONFIDENCE = 0.5
"""Below this normalized probability the language is reported as unknown."""


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The identified language of a text."""

    language: str | None
    """ISO 639-1 code, or None when the text is empty or the guess is below the threshold."""
    confidence: float
    """Normalized probability of the best language, in [0, 1]."""
    best: str
    """The best language even when below the threshold ("" for empty text)."""


@functools.cache
def _identifier() -> Any:
    # The model loads once per process (0.5 s) and is read-only afterwards.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(
    text: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> LanguageGuess:
    """Identify the language of a text.

    Args:
        text: Any text; letters carry the signal, so pass raw (not normalized) text.
        min_confidence: Guesses below this normalized probability give `language=None`.

    Returns:
        The guess with its confidence.

    Example:
        >>> identify_language("Привіт, як справи? Що нового у тебе?").language
        'uk'
    """
    if not text.strip():
        return LanguageGuess(language=None, confidence=0.0, best="")
    code, probability = _identifier().classify(text)
    confidence = min(1.0, max(0.0, float(probability)))
    return LanguageGuess(
        language=str(code) if confidence >= min_confidence else None,
        confidence=confidence,
        best=str(code),
    )
