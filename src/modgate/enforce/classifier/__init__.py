"""The local text classifier: training (scikit-learn loads on first use), enforcer and kind."""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce.classifier._enforcer import ClassifierEnforcer, create_classifier_enforcer
    from modgate.enforce.classifier._kind import CLASSIFIER_KIND
    from modgate.enforce.classifier._params import ClassifierParams
    from modgate.enforce.classifier._preprocess import preprocess_text
    from modgate.enforce.classifier._train import (
        PROFILES,
        ClassifierMetrics,
        TextClassifier,
        TrainedClassifier,
        evaluate_classifier,
        train_classifier,
    )

__getattr__, __dir__ = attach(
    __name__,
    {
        "ClassifierMetrics": "modgate.enforce.classifier._train",
        "PROFILES": "modgate.enforce.classifier._train",
        "TextClassifier": "modgate.enforce.classifier._train",
        "TrainedClassifier": "modgate.enforce.classifier._train",
        "evaluate_classifier": "modgate.enforce.classifier._train",
        "train_classifier": "modgate.enforce.classifier._train",
        "ClassifierEnforcer": "modgate.enforce.classifier._enforcer",
        "create_classifier_enforcer": "modgate.enforce.classifier._enforcer",
        "ClassifierParams": "modgate.enforce.classifier._params",
        "preprocess_text": "modgate.enforce.classifier._preprocess",
        "CLASSIFIER_KIND": "modgate.enforce.classifier._kind",
    },
)

__all__ = [
    "CLASSIFIER_KIND",
    "ClassifierEnforcer",
    "ClassifierMetrics",
    "ClassifierParams",
    "PROFILES",
    "TextClassifier",
    "TrainedClassifier",
    "create_classifier_enforcer",
    "evaluate_classifier",
    "preprocess_text",
    "train_classifier",
]
