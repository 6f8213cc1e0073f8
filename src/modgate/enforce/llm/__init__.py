"""The LLM judge over any OpenAI-compatible endpoint.

Client, messages, reply parsing, response cache keys, injection detector and the `llm` kind.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce.llm._client import CallResult, LLMClient, LLMClientConfig
    from modgate.enforce.llm._enforcer import LLMEnforcer
    from modgate.enforce.llm._injection import InjectionFinding, detect_injection, mask_injection
    from modgate.enforce.llm._kind import LLM_KIND
    from modgate.enforce.llm._messages import build_user_message, redact_personal_data
    from modgate.enforce.llm._params import LLMParams, ModelPrice
    from modgate.enforce.llm._parse import (
        ConfidenceScores,
        Judgement,
        JudgeReply,
        ParseFailure,
        parse_reply,
        strip_reasoning,
    )
    from modgate.enforce.llm._stats import LLMRunStats

__getattr__, __dir__ = attach(
    __name__,
    {
        "LLMEnforcer": "modgate.enforce.llm._enforcer",
        "LLMParams": "modgate.enforce.llm._params",
        "CallResult": "modgate.enforce.llm._client",
        "LLMClient": "modgate.enforce.llm._client",
        "LLMClientConfig": "modgate.enforce.llm._client",
        "ModelPrice": "modgate.enforce.llm._params",
        "build_user_message": "modgate.enforce.llm._messages",
        "redact_personal_data": "modgate.enforce.llm._messages",
        "ConfidenceScores": "modgate.enforce.llm._parse",
        "JudgeReply": "modgate.enforce.llm._parse",
        "Judgement": "modgate.enforce.llm._parse",
        "ParseFailure": "modgate.enforce.llm._parse",
        "parse_reply": "modgate.enforce.llm._parse",
        "strip_reasoning": "modgate.enforce.llm._parse",
        "LLMRunStats": "modgate.enforce.llm._stats",
        "InjectionFinding": "modgate.enforce.llm._injection",
        "detect_injection": "modgate.enforce.llm._injection",
        "mask_injection": "modgate.enforce.llm._injection",
        "LLM_KIND": "modgate.enforce.llm._kind",
    },
)

__all__ = [
    "CallResult",
    "ConfidenceScores",
    "InjectionFinding",
    "JudgeReply",
    "Judgement",
    "LLMClient",
    "LLMClientConfig",
    "LLMEnforcer",
    "LLMParams",
    "LLMRunStats",
    "LLM_KIND",
    "ModelPrice",
    "ParseFailure",
    "build_user_message",
    "detect_injection",
    "mask_injection",
    "parse_reply",
    "redact_personal_data",
    "strip_reasoning",
]
