"""Enforcers: the protocol, built-in kinds, training, the catalog and decision combination."""

from collections.abc import Callable
from typing import Any

from modgate.enforce._actions import action_for_score
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
from modgate.enforce._llm_repo import get_llm_run, list_llm_runs
from modgate.enforce._llm_stats import LLMRunStats
from modgate.enforce._protocol import ActionThresholds, Enforcer, EnforcerSpec, EnforcerThresholds
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


def builtin_enforcer_kinds() -> dict[str, Callable[..., Any]]:
    """Factories of the built-in enforcer kinds, by registry name."""
    kinds: dict[str, Callable[..., Any]] = {}
    kinds["rules"] = create_rules_enforcer
    kinds["llm"] = LLMEnforcer
    kinds["cascade"] = CascadeEnforcer
    return kinds


__all__ = [
    "ActionThresholds",
    "AuthorConditions",
    "AutomodConfig",
    "AutomodDocument",
    "AutomodImport",
    "AutomodImportEntry",
    "AutomodImportReport",
    "AutomodRule",
    "CallResult",
    "CascadeEnforcer",
    "CascadeParams",
    "CascadeReport",
    "CascadeStage",
    "Comparison",
    "CompiledRuleSet",
    "ConfidenceScores",
    "Enforcer",
    "EnforcerSpec",
    "EnforcerThresholds",
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
    "action_for_score",
    "build_user_message",
    "builtin_enforcer_kinds",
    "compile_ruleset",
    "create_rules_enforcer",
    "detect_injection",
    "get_llm_run",
    "import_automod",
    "import_automod_config",
    "list_llm_runs",
    "load_ruleset",
    "mask_injection",
    "parse_automod_config",
    "parse_reply",
    "parse_ruleset",
    "read_automod_config",
    "redact_personal_data",
    "render_report",
    "render_rule_set_yaml",
    "rule_set_name",
    "strip_reasoning",
]
