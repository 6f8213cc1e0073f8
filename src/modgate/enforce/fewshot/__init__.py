"""The few-shot kind: a policy enforced from its own words, with no labelled training set.

Sentence embeddings (a model shipped inside a PyPI package; the library loads on first use)
compare each item with the policy's violating and safe examples, criteria and allowed
contexts; a policy-conditioned scorer fitted across many policies turns the similarities into
a calibrated P(violation). See docs/fewshot.md.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce.fewshot._backends import (
        EmbeddingBackend,
        FewShotBackendWarning,
        get_backend,
        resolve_backend_name,
    )
    from modgate.enforce.fewshot._enforcer import (
        FewShotEnforcer,
        create_fewshot_enforcer,
        resolve_fewshot_policy,
    )
    from modgate.enforce.fewshot._family import family_spec
    from modgate.enforce.fewshot._features import (
        FEATURES,
        SHAPES,
        PolicyShape,
        PolicyTexts,
        Prototypes,
        cosine,
        leave_one_out_rows,
        nearest_margin,
        policy_shape,
        similarity_features,
    )
    from modgate.enforce.fewshot._kind import FEWSHOT_KIND
    from modgate.enforce.fewshot._params import FewShotParams
    from modgate.enforce.fewshot._prototypes import embed_policy, load_prototypes, save_prototypes
    from modgate.enforce.fewshot._scorer import (
        LinearModel,
        TransferScorer,
        fit_transfer_scorer,
        read_scorer,
        shipped_scorer,
        similarity_score,
    )

__getattr__, __dir__ = attach(
    __name__,
    {
        "EmbeddingBackend": "modgate.enforce.fewshot._backends",
        "FewShotBackendWarning": "modgate.enforce.fewshot._backends",
        "get_backend": "modgate.enforce.fewshot._backends",
        "resolve_backend_name": "modgate.enforce.fewshot._backends",
        "FewShotEnforcer": "modgate.enforce.fewshot._enforcer",
        "create_fewshot_enforcer": "modgate.enforce.fewshot._enforcer",
        "resolve_fewshot_policy": "modgate.enforce.fewshot._enforcer",
        "family_spec": "modgate.enforce.fewshot._family",
        "FEATURES": "modgate.enforce.fewshot._features",
        "SHAPES": "modgate.enforce.fewshot._features",
        "PolicyShape": "modgate.enforce.fewshot._features",
        "policy_shape": "modgate.enforce.fewshot._features",
        "PolicyTexts": "modgate.enforce.fewshot._features",
        "Prototypes": "modgate.enforce.fewshot._features",
        "cosine": "modgate.enforce.fewshot._features",
        "leave_one_out_rows": "modgate.enforce.fewshot._features",
        "nearest_margin": "modgate.enforce.fewshot._features",
        "similarity_features": "modgate.enforce.fewshot._features",
        "FEWSHOT_KIND": "modgate.enforce.fewshot._kind",
        "FewShotParams": "modgate.enforce.fewshot._params",
        "embed_policy": "modgate.enforce.fewshot._prototypes",
        "load_prototypes": "modgate.enforce.fewshot._prototypes",
        "save_prototypes": "modgate.enforce.fewshot._prototypes",
        "LinearModel": "modgate.enforce.fewshot._scorer",
        "TransferScorer": "modgate.enforce.fewshot._scorer",
        "fit_transfer_scorer": "modgate.enforce.fewshot._scorer",
        "read_scorer": "modgate.enforce.fewshot._scorer",
        "shipped_scorer": "modgate.enforce.fewshot._scorer",
        "similarity_score": "modgate.enforce.fewshot._scorer",
    },
)

__all__ = [
    "FEATURES",
    "FEWSHOT_KIND",
    "SHAPES",
    "LinearModel",
    "PolicyShape",
    "policy_shape",
    "EmbeddingBackend",
    "FewShotBackendWarning",
    "FewShotEnforcer",
    "FewShotParams",
    "PolicyTexts",
    "Prototypes",
    "TransferScorer",
    "cosine",
    "create_fewshot_enforcer",
    "embed_policy",
    "family_spec",
    "fit_transfer_scorer",
    "get_backend",
    "leave_one_out_rows",
    "load_prototypes",
    "nearest_margin",
    "read_scorer",
    "resolve_backend_name",
    "resolve_fewshot_policy",
    "save_prototypes",
    "shipped_scorer",
    "similarity_features",
    "similarity_score",
]
