"""Text normalization, script-aware confusable folding and language identification. Pure.

Every enforcer reads text through `normalize_text`, so `k1ll`, `k i l l`, `kіll` (Cyrillic і)
and `k\u200bill` all read as `kill`, while real Cyrillic, Greek or other text is left alone.
"""

from modgate.text._casefold import casefold_text
from modgate.text._confusables import fold_mixed_script_token, script_of
from modgate.text._language import LanguageGuess, identify_language
from modgate.text._normalize import MAX_EXPANSION, NormalizationChanges, NormalizedText
from modgate.text._normalize_fast import normalize_text

__all__ = [
    "MAX_EXPANSION",
    "LanguageGuess",
    "NormalizationChanges",
    "NormalizedText",
    "casefold_text",
    "fold_mixed_script_token",
    "identify_language",
    "normalize_text",
    "script_of",
]
