"""Enforcers: the protocol, built-in kinds, training, the catalog and decision combination."""

from collections.abc import Callable
from typing import Any

from modgate.enforce._actions import action_for_score
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


def builtin_enforcer_kinds() -> dict[str, Callable[..., Any]]:
    """Factories of the built-in enforcer kinds, by registry name."""
    kinds: dict[str, Callable[..., Any]] = {}
    kinds["llm"] = LLMEnforcer
    kinds["cascade"] = CascadeEnforcer
    return kinds


__all__ = [
    "ActionThresholds",
    "CallResult",
    "CascadeEnforcer",
    "CascadeParams",
    "CascadeReport",
    "CascadeStage",
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
    "ModelPrice",
    "ParseFailure",
    "action_for_score",
    "build_user_message",
    "builtin_enforcer_kinds",
    "detect_injection",
    "get_llm_run",
    "list_llm_runs",
    "mask_injection",
    "parse_reply",
    "redact_personal_data",
    "strip_reasoning",
]
