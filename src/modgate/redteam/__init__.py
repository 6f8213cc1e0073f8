"""Red-team: seeded perturbations and robustness evaluation of enforcers (layer L4).

Perturbations come in two families that matter for honest figures: `normalized`, the tricks
`modgate.text.normalize_text` was written against, and `held_out`, tricks it was not; an
`llm` family (paraphrase, coded language) joins when an LLM endpoint is configured.
"""

from modgate.redteam._builtin import LLM_PERTURBATIONS, builtin_perturbations
from modgate.redteam._compose import Composed, compose, create_perturbation
from modgate.redteam._held_out import (
    BidiReversal,
    Diacritics,
    EmojiLetters,
    Masking,
    Misspelling,
    Padding,
    Phonetic,
    PunctuationSplit,
    Symbols,
    WordBoundary,
)
from modgate.redteam._llm_rewrite import LLMRewrite
from modgate.redteam._normalized import (
    Bidi,
    Casing,
    Homoglyphs,
    Leetspeak,
    Repetition,
    Spacing,
    StyledLetters,
    Zalgo,
    ZeroWidth,
)
from modgate.redteam._perturbation import (
    FAMILIES,
    BasePerturbation,
    Family,
    Perturbation,
    PerturbationSpec,
    derive_rng,
)

__all__ = [
    "FAMILIES",
    "LLM_PERTURBATIONS",
    "BasePerturbation",
    "Bidi",
    "BidiReversal",
    "Casing",
    "Composed",
    "Diacritics",
    "EmojiLetters",
    "Family",
    "Homoglyphs",
    "LLMRewrite",
    "Leetspeak",
    "Masking",
    "Misspelling",
    "Padding",
    "Perturbation",
    "PerturbationSpec",
    "Phonetic",
    "PunctuationSplit",
    "Repetition",
    "Spacing",
    "StyledLetters",
    "Symbols",
    "WordBoundary",
    "Zalgo",
    "ZeroWidth",
    "builtin_perturbations",
    "compose",
    "create_perturbation",
    "derive_rng",
]
