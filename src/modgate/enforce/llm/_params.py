"""`params` of an `llm` enforcer spec: endpoint, model, prompt source, limits, score table."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modgate.enforce.llm._parse import Confidence, ConfidenceScores, OutputFormat

ResponseFormatMode = Literal["auto", "json_schema", "json_object", "none"]
"""How structured output is asked for: `auto` steps down on refusal."""


class ModelPrice(BaseModel):
    """Price of one model, per million tokens, in the configured currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_million: float = Field(default=0.0, ge=0.0)
    """Price of a million prompt tokens."""
    output_per_million: float = Field(default=0.0, ge=0.0)
    """Price of a million completion tokens."""

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Cost of one call."""
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1_000_000


class LLMParams(BaseModel):
    """Parameters of the `llm` enforcer kind (`params:` of `enforcers/NAME.yaml`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(min_length=1)
    """Model name as the server knows it (e.g. `openai/gpt-oss-safeguard-20b`)."""
    base_url: str | None = None
    """OpenAI-compatible base URL; when absent, read from the variable `base_url_env`."""
    base_url_env: str = "MODGATE_LLM_BASE_URL"
    """Environment variable holding the base URL when `base_url` is not set."""
    api_key_env: str | None = "MODGATE_LLM_API_KEY"
    """Environment variable holding the API key (unset or empty: a placeholder key is sent)."""
    prompt: str | None = None
    """System prompt text (the compiled policy)."""
    prompt_file: str | None = None
    """Path of a file holding the system prompt (relative to the workspace; registration
    copies it into the artifact store and pins its hash)."""
    policy_file: str | None = None
    """Path of a policy YAML file, compiled to the system prompt by `modgate.policy`."""
    prompt_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256 of the pinned `prompt_file` / `policy_file` copy (set at registration)."""
    output_format: OutputFormat = "json"
    """Reply format: `json` (gpt-oss-safeguard style), `llama_guard` or `yes_no`."""
    response_format: ResponseFormatMode = "auto"
    """Structured output: `auto` tries a JSON schema and falls back to text parsing."""
    temperature: float | None = Field(default=0.0, ge=0.0, le=2.0)
    """Sampling temperature."""
    max_tokens: int | None = Field(default=512, ge=1)
    """Completion token limit."""
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    """Reasoning effort for reasoning models."""
    logprobs: bool = False
    """Ask for log-probabilities, making the score P(violation)."""
    top_logprobs: int = Field(default=5, ge=0, le=20)
    """Alternatives per token when `logprobs` is on."""
    timeout_s: float = Field(default=30.0, gt=0.0)
    """Total deadline of one attempt (connect, first byte, whole body), in seconds."""
    max_reply_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    """Largest reply body read (after decompression); a larger one is an error verdict."""
    max_concurrency: int = Field(default=16, ge=1, le=4096)
    """Calls in flight at once."""
    max_retries: int = Field(default=4, ge=0, le=20)
    """Retries on 408/409/429/5xx, timeouts and connection errors."""
    backoff_base_s: float = Field(default=0.5, ge=0.0)
    """First backoff ceiling (doubles per retry, full jitter)."""
    backoff_max_s: float = Field(default=20.0, ge=0.0)
    """Cap of one backoff."""
    prices: dict[str, ModelPrice] = Field(default_factory=dict)
    """Per-model price table (per million tokens); models absent cost nothing."""
    confidence_scores: ConfidenceScores = ConfidenceScores()
    """(violation, confidence) → score, used without log-probabilities."""
    default_confidence: Confidence = "medium"
    """Confidence assumed for formats that state none (Llama Guard, plain Yes/No)."""
    category_map: dict[str, str] = Field(default_factory=dict)
    """Llama Guard code → criterion id."""
    redact_personal_data: bool = False
    """Replace emails, phone numbers and @handles before the call."""
    cache: bool = True
    """Use the store's response cache."""
    rerun_share: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of judged items re-asked (cache bypassed) to measure rerun agreement."""
    rerun_max: int = Field(default=20, ge=0)
    """At most this many reruns per run."""
    injection_check: bool = True
    """Second judgement, on masked content, for an `allow` that carries injection markers."""
    injection_review_share: float = Field(default=0.02, ge=0.0, le=1.0)
    """At most this share of a run's items goes to review because judgements disagreed."""
    injection_review_min: int = Field(default=1, ge=0)
    """…but at least this many per run."""

    @model_validator(mode="after")
    def _one_prompt(self) -> LLMParams:
        given = [self.prompt, self.prompt_file, self.policy_file]
        if sum(value is not None for value in given) > 1:
            raise ValueError("give at most one of prompt, prompt_file and policy_file")
        return self

    def request_settings(self) -> dict[str, Any]:
        """Settings that shape the reply (part of the cache's prompt hash)."""
        return {
            "output_format": self.output_format,
            "response_format": self.response_format,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "reasoning_effort": self.reasoning_effort,
            "redact": self.redact_personal_data,
        }


__all__ = ["LLMParams", "ModelPrice", "ResponseFormatMode"]
