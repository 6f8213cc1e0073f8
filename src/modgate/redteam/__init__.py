"""Red-team: seeded perturbations and robustness evaluation of enforcers (layer L4).

Perturbations come in two families that matter for honest figures: `normalized`, the tricks
`modgate.text.normalize_text` was written against, and `held_out`, tricks it was not; an
`llm` family (paraphrase, coded language) joins when an LLM endpoint is configured.
"""

from modgate.redteam._attack import attack_enforcer, predict_checked
from modgate.redteam._builtin import LLM_PERTURBATIONS, builtin_perturbations
from modgate.redteam._compose import Composed, compose, create_perturbation
from modgate.redteam._golden import add_adversarial_slice, adversarial_rows
from modgate.redteam._harden import augment_training_rows, train_hardened_enforcer
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
from modgate.redteam._repo import get_redteam_run, list_redteam_runs
from modgate.redteam._report import AttackExample, RedteamReport, render_redteam_section
from modgate.redteam._robustness import (
    AttackOutcome,
    RateFigure,
    RobustnessFigures,
    cheapest_attacks,
    compute_robustness,
    edit_cost,
)
from modgate.redteam._run import resolve_perturbations, run_redteam

__all__ = [
    "AttackExample",
    "AttackOutcome",
    "RateFigure",
    "RedteamReport",
    "RobustnessFigures",
    "add_adversarial_slice",
    "adversarial_rows",
    "attack_enforcer",
    "augment_training_rows",
    "train_hardened_enforcer",
    "cheapest_attacks",
    "compute_robustness",
    "edit_cost",
    "get_redteam_run",
    "list_redteam_runs",
    "render_redteam_section",
    "predict_checked",
    "resolve_perturbations",
    "run_redteam",
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
