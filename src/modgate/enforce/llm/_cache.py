"""Response cache of the LLM judge, keyed by (model, prompt hash, content hash).

The prompt hash covers everything sent besides the content (system prompt, message format
version, output format, sampling settings); the content hash covers the user message exactly as
sent (after redaction). Only replies that parsed into a judgement are cached: a failure is never
replayed, so a retry of the run can succeed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.enforce.llm._messages import MESSAGE_FORMAT_VERSION, sha256_text
from modgate.enforce.llm._parse import Judgement


class CachedReply(BaseModel):
    """One cached reply: the raw text, what it parsed to, and what it cost when first made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    raw_reply: str
    """The assistant content as received."""
    judgement: Judgement
    """The parsed judgement."""
    prompt_tokens: int = 0
    """Prompt tokens of the original call."""
    completion_tokens: int = 0
    """Completion tokens of the original call."""
    cost: float = 0.0
    """Cost of the original call."""
    latency_ms: float = 0.0
    """Latency of the original call."""


def prompt_hash(system_prompt: str, request_settings: dict[str, Any]) -> str:
    """Hash of the system prompt and every request setting that shapes the reply.

    Args:
        system_prompt: The compiled policy prompt.
        request_settings: Output format, sampling and reasoning settings (JSON-serialisable).

    Returns:
        Hex SHA-256.
    """
    settings = json.dumps(
        {"format_version": MESSAGE_FORMAT_VERSION, **request_settings}, sort_keys=True
    )
    return sha256_text(f"{settings}\n{system_prompt}")


def content_hash(user_message: str) -> str:
    """Hash of the user message as sent."""
    return sha256_text(user_message)


__all__ = ["CachedReply", "content_hash", "prompt_hash"]
