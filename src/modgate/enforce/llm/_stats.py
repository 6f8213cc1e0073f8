"""Reliability figures of one LLM judging run, for release gates to read. Pure."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class LLMRunStats(BaseModel):
    """What one `predict` run of an LLM enforcer cost and how reliable it was."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    """Identifier of the run (stored in `llm_runs.id`)."""
    enforcer: str
    """`name@version` of the enforcer."""
    model: str
    """Model name sent to the server."""
    prompt_hash: str
    """Hash of the system prompt and request settings (the cache key's prompt part)."""
    started_at: datetime
    """Start of the run (UTC)."""
    finished_at: datetime
    """End of the run (UTC)."""
    items: int = Field(ge=0)
    """Items judged."""
    cache_hits: int = Field(ge=0)
    """Items answered from the response cache, without an HTTP call."""
    calls: int = Field(ge=0)
    """Judgement calls made (first judgements, second judgements and reruns)."""
    attempts: int = Field(ge=0)
    """HTTP attempts, retries included."""
    call_errors: int = Field(ge=0)
    """Calls that got no reply (timeouts, 429/5xx after retries, connection errors)."""
    call_errors_by_kind: dict[str, int] = Field(default_factory=dict)
    """Call errors by family."""
    parse_failures: int = Field(ge=0)
    """Replies that gave no judgement (refusal, empty, malformed, out of schema…)."""
    parse_failures_by_kind: dict[str, int] = Field(default_factory=dict)
    """Parse failures by family."""
    parse_failure_rate: float | None = None
    """Parse failures over replies received (None when no reply came)."""
    errors: int = Field(ge=0)
    """Items whose final verdict carries an error (hence review)."""
    error_rate: float | None = None
    """Errors over items (None for an empty run)."""
    rerun_sample: int = Field(default=0, ge=0)
    """Items judged a second time, cache bypassed, to measure agreement."""
    rerun_agreement: float | None = None
    """Share of the rerun sample whose label did not change (None without a sample)."""
    latency_ms_p50: float | None = None
    """Median latency of the calls made."""
    latency_ms_p90: float | None = None
    """90th percentile latency."""
    latency_ms_p99: float | None = None
    """99th percentile latency."""
    prompt_tokens: int = Field(default=0, ge=0)
    """Prompt tokens billed in this run."""
    completion_tokens: int = Field(default=0, ge=0)
    """Completion tokens billed in this run."""
    cost: float = Field(default=0.0, ge=0.0)
    """Money spent in this run (cache hits cost nothing)."""
    score_from_logprobs: int = Field(default=0, ge=0)
    """Judgements whose score came from log-probabilities."""
    injection_flagged: int = Field(default=0, ge=0)
    """Items carrying prompt-injection markers."""
    injection_second_judgements: int = Field(default=0, ge=0)
    """Second judgements made because an `allow` carried injection markers."""
    injection_routed_to_review: int = Field(default=0, ge=0)
    """Items the injection check sent to review (judgements disagreed), within the cap."""
    injection_review_capped: int = Field(default=0, ge=0)
    """Disagreements past the cap, given the stricter judgement's action instead of review."""


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in [0, 100]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def count_kinds(kinds: Sequence[str]) -> dict[str, int]:
    """Occurrences of each failure kind, sorted by name."""
    return dict(sorted(Counter(kinds).items()))


def rate(part: int, whole: int) -> float | None:
    """Part / whole, None when whole is 0."""
    return part / whole if whole else None


__all__ = ["LLMRunStats", "count_kinds", "percentile", "rate"]
