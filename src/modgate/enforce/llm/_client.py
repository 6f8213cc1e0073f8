"""Chat Completions calls through the `openai` client: concurrency limit, timeouts, retries, cost.

The client's own retry loop is switched off (`max_retries=0`) and replaced by ours, because we
need what it does not give: full-jitter exponential backoff that honours `Retry-After` and is
capped, per-attempt accounting (attempts, latency), and failures returned as values so the
enforcer can route them to review. A downgrade of `response_format` for servers that reject
structured output is remembered for the life of the client.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce.llm._params import ModelPrice, ResponseFormatMode
from modgate.enforce.llm._parse import JUDGE_REPLY_SCHEMA, TokenLogprob

if TYPE_CHECKING:
    import openai

CallErrorKind = Literal[
    "timeout",
    "rate_limited",
    "server_error",
    "connection",
    "bad_request",
    "auth",
    "no_choice",
    "invalid_response",
    "too_large",
    "unexpected",
]
_RETRYABLE_STATUS = frozenset({408, 409, 429})


class LLMClientConfig(BaseModel):
    """Where and how to call the model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    """OpenAI-compatible base URL, e.g. `http://localhost:8000/v1`."""
    model: str
    """Model name as the server knows it."""
    api_key: str = Field(default="not-needed", repr=False)
    """API key (local servers accept any)."""
    timeout_s: float = Field(default=30.0, gt=0.0)
    """Total deadline of one attempt in seconds: connect, first byte and the whole body."""
    max_reply_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    """Largest reply body read, after decompression; a larger one is an error."""
    max_concurrency: int = Field(default=16, ge=1, le=4096)
    """Requests in flight at once."""
    max_retries: int = Field(default=4, ge=0, le=20)
    """Retries after the first attempt on 408/409/429/5xx, timeouts and connection errors."""
    backoff_base_s: float = Field(default=0.5, ge=0.0)
    """First backoff ceiling; doubles with each retry (full jitter below it)."""
    backoff_max_s: float = Field(default=20.0, ge=0.0)
    """Cap on a single backoff, `Retry-After` included."""
    temperature: float | None = Field(default=0.0, ge=0.0, le=2.0)
    """Sampling temperature (None: server default)."""
    max_tokens: int | None = Field(default=512, ge=1)
    """Completion token limit (reasoning models need more)."""
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    """Passed through for reasoning models (gpt-oss-safeguard)."""
    response_format: ResponseFormatMode = "auto"
    """`auto`: JSON schema; when the server refuses it, json_object, then plain text."""
    logprobs: bool = False
    """Ask for token log-probabilities (score = P(violation) when returned)."""
    top_logprobs: int = Field(default=5, ge=0, le=20)
    """Alternatives per position when `logprobs` is set."""
    price: ModelPrice = ModelPrice()
    """Price of this model."""
    seed: int | None = None
    """Seed for the backoff jitter (tests)."""


class CallResult(BaseModel):
    """One judgement call: the reply or the failure, with its accounting."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    content: str | None = None
    """Assistant content."""
    refusal: str | None = None
    """The message's refusal field, when set."""
    finish_reason: str | None = None
    """Finish reason of the first choice."""
    logprobs: list[TokenLogprob] | None = None
    """Token log-probabilities, when returned."""
    prompt_tokens: int = 0
    """Prompt tokens billed."""
    completion_tokens: int = 0
    """Completion tokens billed."""
    cost: float = 0.0
    """Cost of the call, every attempt included."""
    latency_ms: float = 0.0
    """Wall time from first attempt to reply, backoff included."""
    attempts: int = 0
    """HTTP attempts made."""
    error: str | None = None
    """Set when no reply came back."""
    error_kind: CallErrorKind | None = None
    """Family of the failure."""


class _Wire(BaseModel):
    # Servers add fields of their own (reasoning_content, stop_reason…): ignore, don't fail.
    model_config = ConfigDict(frozen=True, extra="ignore")


class _WireUsage(_Wire):
    prompt_tokens: int | None = 0
    completion_tokens: int | None = 0


class _WireTopLogprob(_Wire):
    token: str
    logprob: float


class _WireTokenLogprob(_Wire):
    token: str
    logprob: float
    top_logprobs: list[_WireTopLogprob] | None = None


class _WireLogprobs(_Wire):
    content: list[_WireTokenLogprob] | None = None


class _WireMessage(_Wire):
    content: str | None = None
    refusal: str | None = None


class _WireChoice(_Wire):
    message: _WireMessage
    finish_reason: str | None = None
    logprobs: _WireLogprobs | None = None


class _WireCompletion(_Wire):
    """The part of a Chat Completions response the judge reads."""

    choices: list[_WireChoice] = Field(default_factory=list)
    usage: _WireUsage | None = None


class _LoopState:
    def __init__(self, config: LLMClientConfig) -> None:
        # aiohttp as the transport: the openai client's own advice for high concurrency (the
        # default httpx pool scans every connection on every request).
        import openai

        self.client = openai.AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=openai.DefaultAioHttpClient(timeout=config.timeout_s),
        )
        self.semaphore = asyncio.Semaphore(config.max_concurrency)


class LLMClient:
    """Async Chat Completions caller bound to one endpoint and model.

    The underlying `AsyncOpenAI` client and semaphore belong to an event loop; one set is made
    per loop on first use, so the same `LLMClient` serves `asyncio.run` calls one after another.
    """

    def __init__(self, config: LLMClientConfig) -> None:
        self.config = config
        self._states: dict[int, tuple[asyncio.AbstractEventLoop, _LoopState]] = {}
        self._random = random.Random(config.seed)
        self._format: ResponseFormatMode = config.response_format

    @property
    def response_format_in_use(self) -> ResponseFormatMode:
        """The response format now sent (`auto` resolves to `json_schema` or `none`)."""
        return self._format

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        key = id(loop)
        known = self._states.get(key)
        if known is None or known[0] is not loop:
            self._states = {k: v for k, v in self._states.items() if not v[0].is_closed()}
            known = (loop, _LoopState(self.config))
            self._states[key] = known
        return known[1]

    async def aclose(self) -> None:
        """Close the HTTP client of the running loop."""
        loop = asyncio.get_running_loop()
        known = self._states.pop(id(loop), None)
        if known is not None:
            await known[1].client.close()

    def _request(self, messages: list[dict[str, str]], output_format: str) -> dict[str, Any]:
        cfg = self.config
        kwargs: dict[str, Any] = {"model": cfg.model, "messages": messages}
        if cfg.temperature is not None:
            kwargs["temperature"] = cfg.temperature
        if cfg.max_tokens is not None:
            kwargs["max_tokens"] = cfg.max_tokens
        if cfg.reasoning_effort is not None:
            kwargs["reasoning_effort"] = cfg.reasoning_effort
        if cfg.logprobs:
            kwargs["logprobs"] = True
            if cfg.top_logprobs:
                kwargs["top_logprobs"] = cfg.top_logprobs
        if output_format == "json":
            if self._format in ("auto", "json_schema"):
                kwargs["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "moderation_verdict",
                        "schema": JUDGE_REPLY_SCHEMA,
                        "strict": True,
                    },
                }
            elif self._format == "json_object":
                kwargs["response_format"] = {"type": "json_object"}
                if self.config.response_format == "auto":
                    # llama-cpp-python's server constrains json_object replies to this schema
                    # with a grammar; a server that refuses the extra key is downgraded again.
                    kwargs["response_format"]["schema"] = JUDGE_REPLY_SCHEMA
        return kwargs

    def _downgrade_format(self, exc: openai.APIStatusError, body: dict[str, Any]) -> bool:
        """Step `auto` down json_schema → json_object → none when the server refuses the format.

        Refusals come as 400/422, and from some servers (llama-cpp-python) as a 500 whose
        message names `response_format`: a request validation error reported as a crash.
        """
        if self.config.response_format != "auto" or "response_format" not in body:
            return False
        status = exc.status_code
        mentions = "response_format" in f"{exc.message} {exc.body}"
        if not (status == 400 or (mentions and (status == 422 or status >= 500))):
            return False
        # Step down from the format this request carried, so concurrent refusals of the same
        # format step down once, not once per request.
        refused = body["response_format"].get("type")
        if refused == "json_schema" and self._format in ("auto", "json_schema"):
            self._format = "json_object"
        elif refused == "json_object":
            self._format = "none"
        return True

    def _backoff(self, retry: int, retry_after: float | None) -> float:
        cfg = self.config
        ceiling = min(cfg.backoff_max_s, cfg.backoff_base_s * (2**retry))
        delay = self._random.uniform(0.0, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, cfg.backoff_max_s)

    async def complete(
        self, messages: list[dict[str, str]], *, output_format: str = "json"
    ) -> CallResult:
        """Make one judgement call, retrying transient failures.

        Args:
            messages: Chat messages (system policy, user content).
            output_format: `json` (structured output requested), `llama_guard` or `yes_no`.

        Returns:
            The reply, or a `CallResult` with `error` set; never raises for HTTP failures.
        """
        state = self._state()
        # The slot is held across retries: a rate-limited server sees fewer requests, not more.
        async with state.semaphore:
            return await self._attempts(state, messages, output_format)

    async def _attempts(
        self, state: _LoopState, messages: list[dict[str, str]], output_format: str
    ) -> CallResult:
        import openai

        started = time.perf_counter()
        attempts = 0
        retry = 0
        cost = 0.0
        while True:
            attempts += 1
            body = self._request(messages, output_format)
            error: str
            kind: CallErrorKind
            retry_after: float | None = None
            try:
                # `post` skips the client's request-shape transform, which walks the JSON schema
                # and messages on every call and halves throughput (the body is already in wire
                # form); the reply is read into our own small wire models below.
                # One deadline over the whole attempt (connect, headers, every body byte): the
                # transport's own timeouts are per read, so a server dripping a byte at a time
                # would never trip them.
                async with asyncio.timeout(self.config.timeout_s):
                    response = await self._post(state, body)
            except _ReplyTooLarge:
                error = f"reply larger than {self.config.max_reply_bytes} bytes (decompressed)"
                return self._failed("too_large", error, started, attempts, cost)
            except TimeoutError:
                kind, error = "timeout", f"timed out after {self.config.timeout_s:g}s"
            except openai.APITimeoutError as exc:
                if _refused(exc):
                    kind, error = "connection", f"connection refused by {self.config.base_url}"
                else:
                    kind, error = "timeout", f"timed out after {self.config.timeout_s:g}s"
            except openai.APIConnectionError as exc:
                kind, error = "connection", f"connection failed: {exc}"
            except openai.APIStatusError as exc:
                status = exc.status_code
                retry_after = _retry_after(exc.response.headers.get("retry-after"))
                if self._downgrade_format(exc, body):
                    continue  # same attempt, a format the server accepts
                if status in (401, 403):
                    kind, error = "auth", f"HTTP {status}: check the API key variable"
                elif status == 429:
                    kind, error = "rate_limited", "HTTP 429 rate limited"
                elif status >= 500 or status in _RETRYABLE_STATUS:
                    kind, error = "server_error", f"HTTP {status} from server"
                else:
                    kind, error = "bad_request", f"HTTP {status}: {_short(exc.message)}"
                if kind in ("auth", "bad_request"):
                    return self._failed(kind, error, started, attempts, cost)
            except (ValueError, openai.APIResponseValidationError) as exc:
                error = f"unreadable response body: {_short(str(exc))}"
                return self._failed("invalid_response", error, started, attempts, cost)
            except Exception as exc:  # a verdict must come back whatever the transport does
                error = f"unexpected {type(exc).__name__}: {_short(str(exc))}"
                return self._failed("unexpected", error, started, attempts, cost)
            else:
                try:
                    result = self._result(response, started, attempts, cost)
                except PydanticValidationError as exc:
                    error = f"reply is not a chat completion: {_short(_first_error(exc))}"
                    return self._failed("invalid_response", error, started, attempts, cost)
                if result is not None:
                    return result
                return self._failed("no_choice", "reply had no choices", started, attempts, cost)
            if retry >= self.config.max_retries:
                return self._failed(
                    kind, f"{error} (after {attempts} attempts)", started, attempts, cost
                )
            await asyncio.sleep(self._backoff(retry, retry_after))
            retry += 1

    async def _post(self, state: _LoopState, body: dict[str, Any]) -> object:
        """POST the request and read the reply body in chunks, at most `max_reply_bytes`.

        The body is streamed (not read whole by the client) so an oversized or decompressing
        reply is cut off at the limit instead of being held in memory.

        Raises:
            _ReplyTooLarge: The decompressed body passed the limit.
            ValueError: The body is not JSON (an HTML page, a truncated reply).
        """
        from openai._constants import RAW_RESPONSE_HEADER

        limit = self.config.max_reply_bytes
        raw: Any = await state.client.post(
            "/chat/completions",
            cast_to=object,
            body=body,
            options={"headers": {RAW_RESPONSE_HEADER: "stream"}},
        )
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in raw.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _ReplyTooLarge
                chunks.append(chunk)
        finally:
            await raw.close()
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError) as exc:
            kind = raw.headers.get("content-type", "no content type")
            raise ValueError(f"reply is not JSON ({_short(kind, 60)}): {exc}") from None

    def _result(
        self, data: object, started: float, attempts: int, cost: float
    ) -> CallResult | None:
        response = _WireCompletion.model_validate(data)
        if not response.choices:
            return None
        choice = response.choices[0]
        usage = response.usage or _WireUsage()
        prompt_tokens = usage.prompt_tokens or 0
        completion_tokens = usage.completion_tokens or 0
        tokens: list[TokenLogprob] | None = None
        if choice.logprobs is not None and choice.logprobs.content:
            tokens = [
                TokenLogprob(
                    token=entry.token,
                    logprob=entry.logprob,
                    top={alt.token: alt.logprob for alt in entry.top_logprobs or ()},
                )
                for entry in choice.logprobs.content
            ]
        return CallResult(
            content=choice.message.content,
            refusal=choice.message.refusal,
            finish_reason=choice.finish_reason,
            logprobs=tokens,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost + self.config.price.cost(prompt_tokens, completion_tokens),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            attempts=attempts,
        )

    @staticmethod
    def _failed(
        kind: CallErrorKind, error: str, started: float, attempts: int, cost: float
    ) -> CallResult:
        return CallResult(
            error=error,
            error_kind=kind,
            cost=cost,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            attempts=attempts,
        )


class _ReplyTooLarge(Exception):
    """The reply body passed `max_reply_bytes`."""


def _first_error(exc: PydanticValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "reply"
    return f"{where}: {first['msg']}"


def _refused(exc: BaseException) -> bool:
    """Whether a "timeout" was really a refused connection.

    The aiohttp transport reports a failed connect as a connect timeout; the cause chain tells.
    """
    import aiohttp

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return True
        if isinstance(seen, aiohttp.ClientConnectorError) and not isinstance(
            seen, asyncio.TimeoutError
        ):
            return not isinstance(seen.os_error, TimeoutError)
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _short(text: str, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


__all__ = ["CallResult", "LLMClient", "LLMClientConfig", "ModelPrice"]
