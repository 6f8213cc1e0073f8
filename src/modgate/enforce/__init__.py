"""Enforcers: the protocol, built-in kinds, training, the catalog and decision combination."""

from collections.abc import Callable
from typing import Any

from modgate.enforce._actions import action_for_score
from modgate.enforce._artifact import ArtifactVersionWarning, load_artifact, save_artifact
from modgate.enforce._automod_io import (
    import_automod,
    render_report,
    render_rule_set_yaml,
    rule_set_name,
)
from modgate.enforce._automod_model import AutomodConfig, AutomodDocument, AutomodRule
from modgate.enforce._automod_parse import parse_automod_config, read_automod_config
from modgate.enforce._automod_report import AutomodImportEntry, AutomodImportReport
from modgate.enforce._automod_translate import AutomodImport, import_automod_config
from modgate.enforce._cascade import CascadeEnforcer, CascadeParams, CascadeReport, CascadeStage
from modgate.enforce._catalog import (
    RegisterResult,
    artifact_folder,
    load_enforcer,
    register_enforcer,
    train_enforcer,
)
from modgate.enforce._classifier import ClassifierEnforcer, create_classifier_enforcer
from modgate.enforce._decide import ApplicablePolicy, applicable_policies, combine_verdicts
from modgate.enforce._decisions import batch_decision_id, decide_items
from modgate.enforce._injection import InjectionFinding, detect_injection, mask_injection
from modgate.enforce._llm import LLMEnforcer, LLMParams
from modgate.enforce._llm_client import CallResult, LLMClient, LLMClientConfig, ModelPrice
from modgate.enforce._llm_messages import build_user_message, redact_personal_data
from modgate.enforce._llm_parse import (
    ConfidenceScores,
    Judgement,
    JudgeReply,
    ParseFailure,
    parse_reply,
    strip_reasoning,
)
from modgate.enforce._llm_stats import LLMRunStats
from modgate.enforce._params import ClassifierParams, RecordedParams
from modgate.enforce._preprocess import preprocess_text
from modgate.enforce._protocol import ActionThresholds, Enforcer, EnforcerSpec, EnforcerThresholds
from modgate.enforce._recorded import (
    RecordedEnforcer,
    RecordedPrediction,
    create_recorded_enforcer,
    read_recorded_predictions,
)
from modgate.enforce._repo import (
    EnforcerVersion,
    existing_decision_ids,
    fetch_items,
    get_enforcer_version,
    get_llm_run,
    list_decisions,
    list_enforcer_versions,
    list_llm_runs,
    list_verdicts,
    write_decisions,
)
from modgate.enforce._rules import RulesEnforcer, create_rules_enforcer
from modgate.enforce._rules_match import (
    CompiledRuleSet,
    MatchSpan,
    RuleExplanation,
    RuleHit,
    RuleSetCompileError,
    RuleSetMatch,
    RuleSetReport,
    compile_ruleset,
)
from modgate.enforce._ruleset import AuthorConditions, Comparison, Rule, RuleSet, TextCheck
from modgate.enforce._ruleset_load import RuleSetLoadError, load_ruleset, parse_ruleset
from modgate.enforce._score import (
    ScoreResult,
    score_items,
    select_item_ids,
    verdicts_for_items,
)
from modgate.enforce._spec_file import load_enforcer_spec, parse_enforcer_spec
from modgate.enforce._train import (
    PROFILES,
    ClassifierMetrics,
    TextClassifier,
    TrainedClassifier,
    TrainingRow,
    evaluate_classifier,
    train_classifier,
    training_data_hash,
)
from modgate.enforce._train_file import read_training_rows


def builtin_enforcer_kinds() -> dict[str, Callable[..., Any]]:
    """Factories of the built-in enforcer kinds, by registry name.

    The `classifier` and `recorded` factories take `spec` (an `EnforcerSpec` or its JSON
    form) and `base_dir` (the workspace that relative artifact paths start from).
    """
    kinds: dict[str, Callable[..., Any]] = {}
    kinds["rules"] = create_rules_enforcer
    kinds["llm"] = LLMEnforcer
    kinds["cascade"] = CascadeEnforcer
    kinds["classifier"] = create_classifier_enforcer
    kinds["recorded"] = create_recorded_enforcer
    return kinds


__all__ = [
    "PROFILES",
    "ActionThresholds",
    "AuthorConditions",
    "AutomodConfig",
    "AutomodDocument",
    "AutomodImport",
    "AutomodImportEntry",
    "AutomodImportReport",
    "AutomodRule",
    "ApplicablePolicy",
    "ArtifactVersionWarning",
    "CallResult",
    "CascadeEnforcer",
    "CascadeParams",
    "CascadeReport",
    "CascadeStage",
    "Comparison",
    "CompiledRuleSet",
    "ClassifierEnforcer",
    "ClassifierMetrics",
    "ClassifierParams",
    "ConfidenceScores",
    "Enforcer",
    "EnforcerSpec",
    "EnforcerThresholds",
    "EnforcerVersion",
    "InjectionFinding",
    "JudgeReply",
    "Judgement",
    "LLMClient",
    "LLMClientConfig",
    "LLMEnforcer",
    "LLMParams",
    "LLMRunStats",
    "MatchSpan",
    "ModelPrice",
    "ParseFailure",
    "Rule",
    "RuleExplanation",
    "RuleHit",
    "RuleSet",
    "RuleSetCompileError",
    "RuleSetLoadError",
    "RuleSetMatch",
    "RuleSetReport",
    "RulesEnforcer",
    "TextCheck",
    "RecordedEnforcer",
    "RecordedParams",
    "RecordedPrediction",
    "RegisterResult",
    "ScoreResult",
    "TextClassifier",
    "TrainedClassifier",
    "TrainingRow",
    "action_for_score",
    "applicable_policies",
    "artifact_folder",
    "batch_decision_id",
    "build_user_message",
    "builtin_enforcer_kinds",
    "compile_ruleset",
    "create_rules_enforcer",
    "combine_verdicts",
    "create_classifier_enforcer",
    "create_recorded_enforcer",
    "decide_items",
    "detect_injection",
    "evaluate_classifier",
    "existing_decision_ids",
    "fetch_items",
    "get_enforcer_version",
    "get_llm_run",
    "import_automod",
    "import_automod_config",
    "list_decisions",
    "list_enforcer_versions",
    "list_llm_runs",
    "load_ruleset",
    "list_verdicts",
    "load_artifact",
    "load_enforcer",
    "load_enforcer_spec",
    "mask_injection",
    "parse_automod_config",
    "parse_reply",
    "parse_ruleset",
    "read_automod_config",
    "redact_personal_data",
    "render_report",
    "render_rule_set_yaml",
    "rule_set_name",
    "parse_enforcer_spec",
    "preprocess_text",
    "read_recorded_predictions",
    "read_training_rows",
    "register_enforcer",
    "save_artifact",
    "score_items",
    "select_item_ids",
    "strip_reasoning",
    "train_classifier",
    "train_enforcer",
    "training_data_hash",
    "verdicts_for_items",
    "write_decisions",
]
