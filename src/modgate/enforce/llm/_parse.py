"""LLM reply → judgement, or the precise reason there is none. Pure.

Three reply formats: `json` (the gpt-oss-safeguard style object compiled by `modgate.policy`),
`llama_guard` (`safe` / `unsafe` + category codes) and `yes_no` (ShieldGemma, Granite Guardian).
Reasoning text (`<think>` blocks, harmony analysis channels) is dropped before parsing. The score
is P(violation) from token log-probabilities when the server returned them, else the spec's
(violation, confidence) table. Anything that is not exactly one well-formed judgement — refusal,
empty, malformed, out of schema, truncated, or two conflicting verdicts — is a `ParseFailure`,
which the enforcer turns into an error verdict (review).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

OutputFormat = Literal["json", "llama_guard", "yes_no"]
Confidence = Literal["low", "medium", "high"]
FailureKind = Literal[
    "empty", "refusal", "malformed", "schema", "truncated", "ambiguous", "content_filter"
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LevelScores(_Frozen):
    """Scores for each confidence level of one verdict."""

    low: float = Field(ge=0.0, le=1.0)
    """Score when the model says `low` confidence."""
    medium: float = Field(ge=0.0, le=1.0)
    """Score when the model says `medium` confidence."""
    high: float = Field(ge=0.0, le=1.0)
    """Score when the model says `high` confidence."""


class ConfidenceScores(_Frozen):
    """The (violation, confidence) → score table used when no log-probabilities are available.

    Kept in the enforcer spec, so calibration can replace it like any other threshold.
    """

    violating: LevelScores = LevelScores(low=0.6, medium=0.8, high=0.95)
    """Scores when the model says `violation: 1`."""
    non_violating: LevelScores = LevelScores(low=0.4, medium=0.2, high=0.05)
    """Scores when the model says `violation: 0`."""

    def score(self, violation: bool, confidence: Confidence) -> float:
        """Look up the score of a verdict."""
        level = self.violating if violation else self.non_violating
        return float(getattr(level, confidence))


class TokenLogprob(_Frozen):
    """One generated token with its log-probability and the top alternatives."""

    token: str
    """The token text."""
    logprob: float
    """Natural log-probability of the token."""
    top: dict[str, float] = Field(default_factory=dict)
    """Top alternatives at this position: token text → log-probability."""


class JudgeReply(_Frozen):
    """The JSON object the judge must return (gpt-oss-safeguard style)."""

    violation: int = Field(ge=0, le=1)
    """1 when the content violates the policy, else 0."""
    policy_category: str | None = None
    """Category of the policy that applies, when the model names one."""
    rule_ids: tuple[str, ...] = ()
    """Ids of the policy criteria that fired."""
    confidence: Confidence = "medium"
    """The model's confidence in its verdict."""
    rationale: str = ""
    """Short explanation."""

    @field_validator("violation", mode="before")
    @classmethod
    def _violation_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.strip() in {"0", "1"}:
            return int(value.strip())
        if isinstance(value, float) and value in (0.0, 1.0):
            return int(value)
        return value

    @field_validator("confidence", mode="before")
    @classmethod
    def _confidence_lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("rule_ids", mode="before")
    @classmethod
    def _rule_ids_list(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("policy_category", mode="before")
    @classmethod
    def _category_str(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"", "none", "null", "n/a"}:
            return None
        return value


JUDGE_REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "violation": {"type": "integer", "enum": [0, 1]},
        "policy_category": {"type": ["string", "null"]},
        "rule_ids": {"type": "array", "items": {"type": "string"}},
        "confidence": {"type": "string", "enum": ["low", "medium", "high"]},
        "rationale": {"type": "string"},
    },
    "required": ["violation", "policy_category", "rule_ids", "confidence", "rationale"],
    "additionalProperties": False,
}
"""JSON schema sent as `response_format` when the server supports structured output."""


class Judgement(_Frozen):
    """A successfully parsed reply."""

    violation: bool
    """Whether the model judged the content violating."""
    score: float = Field(ge=0.0, le=1.0)
    """P(violation): from log-probabilities, else from the confidence table."""
    score_source: Literal["logprobs", "table"]
    """Where the score came from."""
    confidence: Confidence
    """The model's stated (or the adapter's default) confidence."""
    criteria: tuple[str, ...] = ()
    """Criteria ids (rule ids, Llama Guard codes mapped through the category map)."""
    category: str | None = None
    """Policy category named by the model."""
    rationale: str = ""
    """The model's explanation."""


class ParseFailure(_Frozen):
    """Why a reply gave no judgement."""

    kind: FailureKind
    """Failure family (counted in the run's reliability figures)."""
    message: str
    """Human-readable detail, with a short excerpt of the reply."""


_REASONING_BLOCK = re.compile(
    r"<(think|thinking|reasoning|analysis)>.*?</\1>", re.IGNORECASE | re.DOTALL
)
_UNOPENED_CLOSE = re.compile(r"^.*?</(?:think|thinking|reasoning|analysis)>", re.DOTALL)
_HARMONY_FINAL = "<|channel|>final<|message|>"
_HARMONY_TOKEN = re.compile(r"<\|[a-z_]+\|>")
_FENCE = re.compile(r"```(?:json)?\s*|```", re.IGNORECASE)
_REFUSAL = re.compile(
    r"\b(?:I\s*(?:can(?:no|')?t|cannot|won'?t|will\s+not|am\s+(?:not\s+able|unable)|'m\s+"
    r"(?:not\s+able|unable|sorry))|I\s+am\s+sorry|sorry,?\s+(?:but\s+)?I|as\s+an\s+AI)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
_SCORE_TAG = re.compile(r"<score>\s*(yes|no)\s*</score>", re.IGNORECASE)
_CONFIDENCE_TAG = re.compile(r"<confidence>\s*(high|medium|low)\s*</confidence>", re.IGNORECASE)
_GUARD_CODE = re.compile(r"\bS\d{1,2}\b")


def strip_reasoning(text: str) -> str:
    """Drop reasoning that precedes the answer: `<think>` blocks and harmony analysis channels.

    Args:
        text: Raw assistant content.

    Returns:
        The final answer text, stripped of surrounding whitespace.
    """
    if _HARMONY_FINAL in text:
        text = text.rsplit(_HARMONY_FINAL, 1)[1]
        text = _HARMONY_TOKEN.split(text, maxsplit=1)[0]
    text = _REASONING_BLOCK.sub("", text)
    text = _UNOPENED_CLOSE.sub("", text)
    return text.strip()


def find_json_objects(text: str) -> list[dict[str, Any]]:
    """Every top-level JSON object embedded in a text, in order (code fences ignored)."""
    text = _FENCE.sub("", text)
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except ValueError:
            index = text.find("{", index + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        index = text.find("{", end)
    return found


def parse_reply(
    content: str | None,
    *,
    output_format: OutputFormat = "json",
    scores: ConfidenceScores | None = None,
    refusal: str | None = None,
    finish_reason: str | None = None,
    logprobs: list[TokenLogprob] | None = None,
    category_map: dict[str, str] | None = None,
    default_confidence: Confidence = "medium",
) -> Judgement | ParseFailure:
    """Turn one assistant reply into a judgement, or say exactly why it cannot.

    Args:
        content: The assistant message content.
        output_format: Reply format the model was asked for.
        scores: (violation, confidence) → score table (default `ConfidenceScores()`).
        refusal: The message's `refusal` field, when the server set one.
        finish_reason: The choice's finish reason.
        logprobs: Per-token log-probabilities of the content, when returned.
        category_map: Llama Guard code (e.g. `S10`) → criterion id.
        default_confidence: Confidence assumed by adapters whose format has none.

    Returns:
        A `Judgement`, or a `ParseFailure` naming the failure kind.
    """
    table = scores or ConfidenceScores()
    if refusal:
        return ParseFailure(kind="refusal", message=f"model refused: {_excerpt(refusal)}")
    if finish_reason == "content_filter":
        return ParseFailure(kind="content_filter", message="reply stopped by a content filter")
    answer = strip_reasoning(content or "")
    if not answer:
        return ParseFailure(kind="empty", message="empty reply")
    if output_format == "llama_guard":
        result = _parse_llama_guard(answer, table, logprobs, category_map or {}, default_confidence)
    elif output_format == "yes_no":
        result = _parse_yes_no(answer, table, logprobs, default_confidence)
    else:
        result = _parse_json(answer, table, logprobs)
    if isinstance(result, ParseFailure) and result.kind == "malformed":
        if finish_reason == "length":
            return ParseFailure(
                kind="truncated", message=f"reply cut at max tokens: {result.message}"
            )
        if _REFUSAL.search(answer[:300]):
            return ParseFailure(kind="refusal", message=f"model refused: {_excerpt(answer)}")
    return result


def _parse_json(
    answer: str, table: ConfidenceScores, logprobs: list[TokenLogprob] | None
) -> Judgement | ParseFailure:
    objects = find_json_objects(answer)
    if not objects:
        return ParseFailure(
            kind="malformed", message=f"no JSON object in reply: {_excerpt(answer)}"
        )
    valid: list[JudgeReply] = []
    first_error: ValidationError | None = None
    for obj in objects:
        try:
            valid.append(JudgeReply.model_validate(obj))
        except ValidationError as exc:
            first_error = first_error or exc
    if not valid:
        assert first_error is not None
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}"
            for e in first_error.errors()[:3]
        )
        return ParseFailure(kind="schema", message=f"reply out of schema ({problems})")
    if len({reply.violation for reply in valid}) > 1:
        return ParseFailure(
            kind="ambiguous", message=f"reply holds {len(valid)} conflicting verdicts"
        )
    reply = valid[0]
    violation = bool(reply.violation)
    p = _json_violation_probability(logprobs, reply.violation) if logprobs else None
    return Judgement(
        violation=violation,
        score=p if p is not None else table.score(violation, reply.confidence),
        score_source="logprobs" if p is not None else "table",
        confidence=reply.confidence,
        criteria=reply.rule_ids,
        category=reply.policy_category,
        rationale=reply.rationale,
    )


def _parse_llama_guard(
    answer: str,
    table: ConfidenceScores,
    logprobs: list[TokenLogprob] | None,
    category_map: dict[str, str],
    default_confidence: Confidence,
) -> Judgement | ParseFailure:
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    head = lines[0].lower().rstrip(".") if lines else ""
    if head not in {"safe", "unsafe"}:
        return ParseFailure(
            kind="malformed", message=f"expected 'safe' or 'unsafe', got {_excerpt(answer)}"
        )
    violation = head == "unsafe"
    codes = tuple(_GUARD_CODE.findall(" ".join(lines[1:]))) if violation else ()
    p = _pair_probability(logprobs, positive="unsafe", negative="safe") if logprobs else None
    return Judgement(
        violation=violation,
        score=p if p is not None else table.score(violation, default_confidence),
        score_source="logprobs" if p is not None else "table",
        confidence=default_confidence,
        criteria=tuple(category_map.get(code, code) for code in codes),
        category=codes[0] if codes else None,
        rationale=answer,
    )


def _parse_yes_no(
    answer: str,
    table: ConfidenceScores,
    logprobs: list[TokenLogprob] | None,
    default_confidence: Confidence,
) -> Judgement | ParseFailure:
    match = _SCORE_TAG.search(answer) or _YES_NO.match(answer)
    if match is None:
        return ParseFailure(kind="malformed", message=f"expected Yes or No, got {_excerpt(answer)}")
    violation = match.group(1).lower() == "yes"
    stated = _CONFIDENCE_TAG.search(answer)
    confidence: Confidence = default_confidence
    if stated is not None:
        level = stated.group(1).lower()
        confidence = "high" if level == "high" else "low" if level == "low" else "medium"
    p = _pair_probability(logprobs, positive="yes", negative="no") if logprobs else None
    return Judgement(
        violation=violation,
        score=p if p is not None else table.score(violation, confidence),
        score_source="logprobs" if p is not None else "table",
        confidence=confidence,
        rationale=answer,
    )


def _norm_token(token: str) -> str:
    return token.strip().strip("▁Ġ\"'").lower()


def _binary_probability(entry: TokenLogprob, positive: str, negative: str) -> float | None:
    """P(positive) at one position, renormalised over {positive, negative}."""
    mass = {positive: 0.0, negative: 0.0}
    candidates = dict(entry.top)
    candidates.setdefault(entry.token, entry.logprob)
    for token, logprob in candidates.items():
        key = _norm_token(token)
        if key in mass and math.isfinite(logprob):
            mass[key] += math.exp(logprob)
    chosen = _norm_token(entry.token)
    total = mass[positive] + mass[negative]
    if total <= 0.0 or chosen not in mass:
        return None
    if mass[positive] == 0.0 or mass[negative] == 0.0:
        # Only the chosen token is known: the rest of the mass is taken as the alternative.
        p_chosen = min(1.0, math.exp(entry.logprob))
        return p_chosen if chosen == positive else 1.0 - p_chosen
    return mass[positive] / total


def _pair_probability(
    logprobs: list[TokenLogprob], *, positive: str, negative: str
) -> float | None:
    for entry in logprobs:
        key = _norm_token(entry.token)
        if not key:
            continue
        if key in {positive, negative}:
            return _binary_probability(entry, positive, negative)
        if key not in {"<score>", "score", "<", ">"}:
            return None
    return None


def _json_violation_probability(logprobs: list[TokenLogprob], value: int) -> float | None:
    text = "".join(entry.token for entry in logprobs)
    match = re.search(r'"violation"\s*:\s*([01])', text)
    if match is None or int(match.group(1)) != value:
        return None
    position = match.start(1)
    offset = 0
    for entry in logprobs:
        if offset <= position < offset + len(entry.token):
            return _binary_probability(entry, positive="1", negative="0")
        offset += len(entry.token)
    return None


def _excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


__all__ = [
    "JUDGE_REPLY_SCHEMA",
    "ConfidenceScores",
    "FailureKind",
    "JudgeReply",
    "Judgement",
    "LevelScores",
    "OutputFormat",
    "ParseFailure",
    "TokenLogprob",
    "find_json_objects",
    "parse_reply",
    "strip_reasoning",
]
