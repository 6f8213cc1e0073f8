"""LLMEnforcer: the compiled policy judged by any OpenAI-compatible endpoint; never fails open.

Composition of the LLM modules: messages (`_llm_messages`), calls (`_llm_client`), parsing
(`_llm_parse`), the store-backed cache (`_repo`), the injection check (`_injection`) and the
run's reliability figures (`_llm_stats`). Every failure — timeout, 429/5xx after retries,
refusal, empty, malformed or out-of-schema reply — becomes a verdict with `error` (action
review); nothing here raises for a bad reply.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modgate.domain import Action, Item, Verdict
from modgate.enforce._actions import action_for_score
from modgate.enforce._kinds import resolve_path
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce._repo import get_cached_replies, put_cached_replies, record_llm_run
from modgate.enforce.llm._cache import CachedReply, content_hash, prompt_hash
from modgate.enforce.llm._client import (
    CallResult,
    LLMClient,
    LLMClientConfig,
    ModelPrice,
)
from modgate.enforce.llm._files import DEFAULT_KEY_ENV_PATTERNS, check_api_key_env, read_pinned
from modgate.enforce.llm._injection import InjectionFinding, detect_injection, mask_injection
from modgate.enforce.llm._messages import build_messages, build_user_message
from modgate.enforce.llm._params import LLMParams
from modgate.enforce.llm._parse import (
    Judgement,
    ParseFailure,
    parse_reply,
)
from modgate.enforce.llm._stats import LLMRunStats, count_kinds, percentile, rate
from modgate.errors import ConfigError
from modgate.policy import compile_prompt, load_policy_ref
from modgate.store import Store

_RATIONALE_LIMIT = 2000
log = logging.getLogger(__name__)


@dataclass
class _Outcome:
    """First (and maybe second) judgement of one distinct message."""

    call: CallResult | None = None
    parsed: Judgement | ParseFailure | None = None
    cached: bool = False


@dataclass
class _RunTally:
    calls: list[CallResult] = field(default_factory=list)
    parse_kinds: list[str] = field(default_factory=list)
    replies: int = 0
    second_judgements: int = 0
    routed: int = 0
    capped: int = 0
    flagged: int = 0


class LLMEnforcer:
    """Enforcer of kind `llm`: one Chat Completions judgement per distinct item.

    Args:
        spec: The enforcer spec (or its dict form, as the registry passes it).
        store: Store for the response cache and run records (None: no cache, no records).
        prompt: System prompt text; overrides `params.prompt` / `params.prompt_file`.
        environ: Environment to read the base URL and key variables from (default `os.environ`).

    Raises:
        ConfigError: Parameters invalid, no prompt, or no base URL.
    """

    def __init__(
        self,
        spec: EnforcerSpec | Mapping[str, Any],
        *,
        store: Store | None = None,
        prompt: str | None = None,
        environ: Mapping[str, str] | None = None,
        workspace: Path | None = None,
        key_env_patterns: Sequence[str] = DEFAULT_KEY_ENV_PATTERNS,
    ) -> None:
        self._spec = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
        try:
            self.params = LLMParams.model_validate(self._spec.params)
        except ValidationError as exc:
            problems = "; ".join(
                f"params.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"enforcer {self._spec.name!r}: {problems}") from exc
        check_api_key_env(self.params.api_key_env, key_env_patterns, enforcer=self._spec.name)
        self._workspace = workspace
        env = os.environ if environ is None else environ
        self.system_prompt = prompt if prompt is not None else self._load_prompt(store)
        base_url = self.params.base_url or env.get(self.params.base_url_env, "")
        if not base_url:
            raise ConfigError(
                f"enforcer {self._spec.name!r}: no base_url in params and "
                f"{self.params.base_url_env} is not set"
            )
        api_key = env.get(self.params.api_key_env or "", "") or "not-needed"
        p = self.params
        self.client = LLMClient(
            LLMClientConfig(
                base_url=base_url,
                model=p.model,
                api_key=api_key,
                timeout_s=p.timeout_s,
                max_reply_bytes=p.max_reply_bytes,
                max_concurrency=p.max_concurrency,
                max_retries=p.max_retries,
                backoff_base_s=p.backoff_base_s,
                backoff_max_s=p.backoff_max_s,
                temperature=p.temperature,
                max_tokens=p.max_tokens,
                reasoning_effort=p.reasoning_effort,
                response_format=p.response_format,
                logprobs=p.logprobs,
                top_logprobs=p.top_logprobs,
                price=p.prices.get(p.model, ModelPrice()),
            )
        )
        self.store = store
        self.prompt_hash = prompt_hash(self.system_prompt, p.request_settings())
        self.last_run_stats: LLMRunStats | None = None

    def _load_prompt(self, store: Store | None) -> str:
        """The system prompt, in order: text, prompt file, policy file, published policy."""
        p = self.params
        if p.prompt is not None:
            return p.prompt
        if p.prompt_file is not None:
            path = read_pinned(resolve_path(p.prompt_file, self._workspace), p.prompt_sha256)
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read the prompt file: {exc}") from exc
        if p.policy_file is not None:
            path = read_pinned(resolve_path(p.policy_file, self._workspace), p.prompt_sha256)
            return compile_prompt(load_policy_ref(str(path)).policy).text
        if store is not None and "@" in self._spec.policy:
            loaded = load_policy_ref(self._spec.policy, store=lambda: store)
            return compile_prompt(loaded.policy).text
        raise ConfigError(
            f"enforcer {self._spec.name!r}: no system prompt (params.prompt, prompt_file or "
            "policy_file, a published policy@version with a store, or pass prompt=)"
        )

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch (sync wrapper of `predict_async`; safe inside a running loop)."""
        if not items:
            return []

        async def run() -> list[Verdict]:
            try:
                return await self.predict_async(items)
            finally:
                await self.client.aclose()

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(run())
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result()

    async def predict_async(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch: cache first, then concurrent calls; records the run's figures.

        Returns:
            One verdict per item, in order; failures are verdicts with `error` (review).
        """
        if not items:
            return []
        started_at = datetime.now(UTC)
        p = self.params
        tally = _RunTally()
        messages = [
            build_user_message(item, output_format=p.output_format, redact=p.redact_personal_data)
            for item in items
        ]
        keys = [content_hash(m) for m in messages]
        outcomes = await self._judge_all(dict(zip(keys, messages, strict=True)), tally)
        seen: set[str] = set()
        verdicts: list[Verdict] = []
        for item, key in zip(items, keys, strict=True):
            verdicts.append(self._verdict(item, outcomes[key], first=key not in seen))
            seen.add(key)
        if p.injection_check:
            verdicts = await self._scrutinise(items, verdicts, tally)
        rerun_n, agreement = await self._rerun_sample(keys, messages, outcomes, tally)
        self.last_run_stats = self._stats(
            started_at, items, verdicts, outcomes, tally, rerun_n, agreement
        )
        if self.store is not None:
            try:
                record_llm_run(self.store, self.last_run_stats)
            except Exception as exc:
                log.warning("could not record LLM run %s: %s", self.last_run_stats.run_id, exc)
        return verdicts

    async def _judge_all(
        self, messages: dict[str, str], tally: _RunTally, *, use_cache: bool = True
    ) -> dict[str, _Outcome]:
        outcomes: dict[str, _Outcome] = {}
        caching = use_cache and self.params.cache and self.store is not None
        if caching:
            assert self.store is not None
            try:
                hits = get_cached_replies(self.store, self.params.model, self.prompt_hash, messages)
            except Exception as exc:  # the cache saves money; it must not stop enforcement
                log.warning("LLM cache read failed, judging without it: %s", exc)
                hits = {}
            for key, hit in hits.items():
                outcomes[key] = _Outcome(parsed=hit.judgement, cached=True)
        todo = [key for key in messages if key not in outcomes]
        results = await asyncio.gather(*(self._judge_one(messages[key]) for key in todo))
        fresh: dict[str, CachedReply] = {}
        for key, (call, parsed) in zip(todo, results, strict=True):
            outcomes[key] = _Outcome(call=call, parsed=parsed)
            tally.calls.append(call)
            if parsed is not None:
                tally.replies += 1
                if isinstance(parsed, ParseFailure):
                    tally.parse_kinds.append(parsed.kind)
                elif caching:
                    fresh[key] = CachedReply(
                        raw_reply=call.content or "",
                        judgement=parsed,
                        prompt_tokens=call.prompt_tokens,
                        completion_tokens=call.completion_tokens,
                        cost=call.cost,
                        latency_ms=call.latency_ms,
                    )
        if fresh:
            assert self.store is not None
            try:
                put_cached_replies(self.store, self.params.model, self.prompt_hash, fresh)
            except Exception as exc:
                log.warning("LLM cache write failed (verdicts kept): %s", exc)
        return outcomes

    async def _judge_one(
        self, user_message: str
    ) -> tuple[CallResult, Judgement | ParseFailure | None]:
        p = self.params
        call = await self.client.complete(
            build_messages(self.system_prompt, user_message), output_format=p.output_format
        )
        if call.error is not None:
            return call, None
        parsed = parse_reply(
            call.content,
            output_format=p.output_format,
            scores=p.confidence_scores,
            refusal=call.refusal,
            finish_reason=call.finish_reason,
            logprobs=call.logprobs,
            category_map=p.category_map,
            default_confidence=p.default_confidence,
        )
        return call, parsed

    def _verdict(self, item: Item, outcome: _Outcome, *, first: bool) -> Verdict:
        spec = self._spec
        call = outcome.call
        cost = call.cost if call is not None and first else 0.0
        latency = call.latency_ms if call is not None else 0.0
        parsed = outcome.parsed
        if parsed is None or isinstance(parsed, ParseFailure):
            if parsed is None:
                kind = call.error_kind if call is not None else "unknown"
                error = f"llm call {kind}: {call.error if call is not None else 'no call'}"
            else:
                error = f"llm reply {parsed.kind}: {parsed.message}"
            failed = Verdict.failed(item.id, spec.policy, spec.ref, error)
            return failed.model_copy(update={"latency_ms": latency, "cost": cost})
        return Verdict(
            item_id=item.id,
            policy=spec.policy,
            enforcer=spec.ref,
            score=parsed.score,
            label="violating" if parsed.violation else "non_violating",
            action=action_for_score(parsed.score, spec.thresholds, item.community),
            criteria=parsed.criteria,
            rationale=parsed.rationale[:_RATIONALE_LIMIT],
            latency_ms=latency,
            cost=cost,
        )

    async def _scrutinise(
        self, items: Sequence[Item], verdicts: list[Verdict], tally: _RunTally
    ) -> list[Verdict]:
        """Second judgement, on masked content, for each `allow` that carries injection markers.

        The detector alone never changes an outcome: a second `allow` stays `allow`. When the
        second judgement is stricter the two disagree — the injection moved the model — and the
        item goes to review, up to a cap; past the cap it takes the stricter verdict's action, so
        the cap bounds the review queue without ever failing open.
        """
        p = self.params
        findings: dict[int, InjectionFinding] = {}
        for index, item in enumerate(items):
            finding = detect_injection(_joined_text(item))
            if finding.found:
                tally.flagged += 1
                if verdicts[index].action is Action.ALLOW and verdicts[index].error is None:
                    findings[index] = finding
        if not findings:
            return verdicts
        masked: dict[int, Item] = {index: _masked_item(items[index]) for index in findings}
        messages = {
            index: build_user_message(
                item, output_format=p.output_format, redact=p.redact_personal_data
            )
            for index, item in masked.items()
        }
        keyed = {content_hash(m): m for m in messages.values()}
        outcomes = await self._judge_all(keyed, tally)
        tally.second_judgements += len(findings)
        cap = max(p.injection_review_min, math.floor(p.injection_review_share * len(items)))
        out = list(verdicts)
        for index in sorted(findings):
            second = self._verdict(
                items[index], outcomes[content_hash(messages[index])], first=True
            )
            first = verdicts[index]
            extra_cost = first.cost + second.cost
            if second.error is not None:
                out[index] = second.model_copy(update={"cost": extra_cost})
            elif second.action is not Action.ALLOW:
                markers = ", ".join(findings[index].markers)
                if tally.routed < cap:
                    tally.routed += 1
                    out[index] = second.model_copy(
                        update={
                            "action": Action.REVIEW,
                            "cost": extra_cost,
                            "rationale": f"judgements disagree on content with injection "
                            f"markers ({markers}); masked judgement: {second.rationale}"[
                                :_RATIONALE_LIMIT
                            ],
                        }
                    )
                else:
                    tally.capped += 1
                    out[index] = second.model_copy(update={"cost": extra_cost})
            else:
                out[index] = first.model_copy(update={"cost": extra_cost})
        return out

    async def _rerun_sample(
        self,
        keys: list[str],
        messages: list[str],
        outcomes: dict[str, _Outcome],
        tally: _RunTally,
    ) -> tuple[int, float | None]:
        p = self.params
        if p.rerun_share <= 0.0 or p.rerun_max <= 0:
            return 0, None
        threshold = int(p.rerun_share * 0x10000)
        chosen: dict[str, str] = {}
        for key, message in zip(keys, messages, strict=True):
            parsed = outcomes[key].parsed
            if isinstance(parsed, Judgement) and int(key[:4], 16) < threshold:
                chosen.setdefault(key, message)
            if len(chosen) >= p.rerun_max:
                break
        if not chosen:
            return 0, None
        again = await self._judge_all(chosen, tally, use_cache=False)
        agree = 0
        for key in chosen:
            before = outcomes[key].parsed
            after = again[key].parsed
            if isinstance(before, Judgement) and isinstance(after, Judgement):
                agree += before.violation == after.violation
        return len(chosen), agree / len(chosen)

    def _stats(
        self,
        started_at: datetime,
        items: Sequence[Item],
        verdicts: list[Verdict],
        outcomes: dict[str, _Outcome],
        tally: _RunTally,
        rerun_n: int,
        agreement: float | None,
    ) -> LLMRunStats:
        calls = tally.calls
        latencies = [c.latency_ms for c in calls]
        call_errors = [c.error_kind or "other" for c in calls if c.error is not None]
        errors = sum(1 for v in verdicts if v.error is not None)
        judged = [o.parsed for o in outcomes.values() if isinstance(o.parsed, Judgement)]
        return LLMRunStats(
            run_id=uuid.uuid4().hex,
            enforcer=self._spec.ref,
            model=self.params.model,
            prompt_hash=self.prompt_hash,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            items=len(items),
            cache_hits=sum(1 for o in outcomes.values() if o.cached),
            calls=len(calls),
            attempts=sum(c.attempts for c in calls),
            call_errors=len(call_errors),
            call_errors_by_kind=count_kinds(call_errors),
            parse_failures=len(tally.parse_kinds),
            parse_failures_by_kind=count_kinds(tally.parse_kinds),
            parse_failure_rate=rate(len(tally.parse_kinds), tally.replies),
            errors=errors,
            error_rate=rate(errors, len(items)),
            rerun_sample=rerun_n,
            rerun_agreement=agreement,
            latency_ms_p50=percentile(latencies, 50),
            latency_ms_p90=percentile(latencies, 90),
            latency_ms_p99=percentile(latencies, 99),
            prompt_tokens=sum(c.prompt_tokens for c in calls),
            completion_tokens=sum(c.completion_tokens for c in calls),
            cost=sum(c.cost for c in calls),
            score_from_logprobs=sum(1 for j in judged if j.score_source == "logprobs"),
            injection_flagged=tally.flagged,
            injection_second_judgements=tally.second_judgements,
            injection_routed_to_review=tally.routed,
            injection_review_capped=tally.capped,
        )


def _joined_text(item: Item) -> str:
    return "\n".join(part for part in (item.parent_text, item.title, item.body) if part)


def _masked_item(item: Item) -> Item:
    update: dict[str, Any] = {}
    for name in ("title", "body", "parent_text"):
        value = getattr(item, name)
        if value:
            update[name] = mask_injection(value, detect_injection(value))
    return item.model_copy(update=update)


__all__ = ["LLMEnforcer", "LLMParams"]
