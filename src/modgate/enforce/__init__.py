"""Enforcers: the protocol, kind records, the catalog, batch scoring and decision combination.

The kinds live in subpackages that register themselves: `rules` (with `rules.automod`),
`classifier`, `llm`; `cascade` and `recorded` are here. Names load on first use, so
`import modgate.enforce` imports no model library.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce._actions import action_for_score
    from modgate.enforce._artifact import ArtifactVersionWarning, load_artifact, save_artifact
    from modgate.enforce._cascade import (
        CASCADE_KIND,
        CascadeEnforcer,
        CascadeParams,
        CascadeReport,
        CascadeStage,
        ScoreBand,
    )
    from modgate.enforce._catalog import (
        RegisterResult,
        load_enforcer,
        register_enforcer,
        train_enforcer,
    )
    from modgate.enforce._decide import ApplicablePolicy, applicable_policies, combine_verdicts
    from modgate.enforce._decisions import batch_decision_id, decide_items
    from modgate.enforce._kinds import (
        EnforcerKind,
        KindContext,
        PreparedSpec,
        TrainingJob,
        artifact_folder,
        create_enforcer,
        default_registry,
        enforcer_kinds,
        get_enforcer_kind,
    )
    from modgate.enforce._protocol import (
        ActionThresholds,
        Enforcer,
        EnforcerSpec,
        EnforcerThresholds,
    )
    from modgate.enforce._recorded import (
        RECORDED_KIND,
        RecordedEnforcer,
        RecordedParams,
        RecordedPrediction,
        create_recorded_enforcer,
        read_recorded_predictions,
    )
    from modgate.enforce._repo import (
        EnforcerVersion,
        get_enforcer_version,
        get_llm_run,
        list_decisions,
        list_enforcer_versions,
        list_llm_runs,
        list_verdicts,
    )
    from modgate.enforce._score import ScoreResult, score_items, select_item_ids
    from modgate.enforce._spec_file import load_enforcer_spec, parse_enforcer_spec
    from modgate.enforce._training_rows import TrainingRow, read_training_rows, training_data_hash

__getattr__, __dir__ = attach(
    __name__,
    {
        "action_for_score": "modgate.enforce._actions",
        "ArtifactVersionWarning": "modgate.enforce._artifact",
        "load_artifact": "modgate.enforce._artifact",
        "save_artifact": "modgate.enforce._artifact",
        "CASCADE_KIND": "modgate.enforce._cascade",
        "CascadeEnforcer": "modgate.enforce._cascade",
        "CascadeParams": "modgate.enforce._cascade",
        "CascadeReport": "modgate.enforce._cascade",
        "CascadeStage": "modgate.enforce._cascade",
        "ScoreBand": "modgate.enforce._cascade",
        "RegisterResult": "modgate.enforce._catalog",
        "load_enforcer": "modgate.enforce._catalog",
        "register_enforcer": "modgate.enforce._catalog",
        "train_enforcer": "modgate.enforce._catalog",
        "ApplicablePolicy": "modgate.enforce._decide",
        "applicable_policies": "modgate.enforce._decide",
        "combine_verdicts": "modgate.enforce._decide",
        "batch_decision_id": "modgate.enforce._decisions",
        "decide_items": "modgate.enforce._decisions",
        "EnforcerKind": "modgate.enforce._kinds",
        "KindContext": "modgate.enforce._kinds",
        "PreparedSpec": "modgate.enforce._kinds",
        "TrainingJob": "modgate.enforce._kinds",
        "artifact_folder": "modgate.enforce._kinds",
        "create_enforcer": "modgate.enforce._kinds",
        "default_registry": "modgate.enforce._kinds",
        "enforcer_kinds": "modgate.enforce._kinds",
        "get_enforcer_kind": "modgate.enforce._kinds",
        "ActionThresholds": "modgate.enforce._protocol",
        "Enforcer": "modgate.enforce._protocol",
        "EnforcerSpec": "modgate.enforce._protocol",
        "EnforcerThresholds": "modgate.enforce._protocol",
        "RECORDED_KIND": "modgate.enforce._recorded",
        "RecordedEnforcer": "modgate.enforce._recorded",
        "RecordedParams": "modgate.enforce._recorded",
        "RecordedPrediction": "modgate.enforce._recorded",
        "create_recorded_enforcer": "modgate.enforce._recorded",
        "read_recorded_predictions": "modgate.enforce._recorded",
        "EnforcerVersion": "modgate.enforce._repo",
        "get_enforcer_version": "modgate.enforce._repo",
        "get_llm_run": "modgate.enforce._repo",
        "list_decisions": "modgate.enforce._repo",
        "list_enforcer_versions": "modgate.enforce._repo",
        "list_llm_runs": "modgate.enforce._repo",
        "list_verdicts": "modgate.enforce._repo",
        "ScoreResult": "modgate.enforce._score",
        "score_items": "modgate.enforce._score",
        "select_item_ids": "modgate.enforce._score",
        "load_enforcer_spec": "modgate.enforce._spec_file",
        "parse_enforcer_spec": "modgate.enforce._spec_file",
        "TrainingRow": "modgate.enforce._training_rows",
        "read_training_rows": "modgate.enforce._training_rows",
        "training_data_hash": "modgate.enforce._training_rows",
    },
)

__all__ = [
    "ActionThresholds",
    "ApplicablePolicy",
    "ArtifactVersionWarning",
    "CASCADE_KIND",
    "CascadeEnforcer",
    "CascadeParams",
    "CascadeReport",
    "CascadeStage",
    "Enforcer",
    "EnforcerKind",
    "EnforcerSpec",
    "EnforcerThresholds",
    "EnforcerVersion",
    "KindContext",
    "PreparedSpec",
    "RECORDED_KIND",
    "RecordedEnforcer",
    "RecordedParams",
    "RecordedPrediction",
    "RegisterResult",
    "ScoreBand",
    "ScoreResult",
    "TrainingJob",
    "TrainingRow",
    "action_for_score",
    "applicable_policies",
    "artifact_folder",
    "batch_decision_id",
    "combine_verdicts",
    "create_enforcer",
    "create_recorded_enforcer",
    "decide_items",
    "default_registry",
    "enforcer_kinds",
    "get_enforcer_kind",
    "get_enforcer_version",
    "get_llm_run",
    "list_decisions",
    "list_enforcer_versions",
    "list_llm_runs",
    "list_verdicts",
    "load_artifact",
    "load_enforcer",
    "load_enforcer_spec",
    "parse_enforcer_spec",
    "read_recorded_predictions",
    "read_training_rows",
    "register_enforcer",
    "save_artifact",
    "score_items",
    "select_item_ids",
    "train_enforcer",
    "training_data_hash",
]
