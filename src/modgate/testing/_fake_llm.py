"""A fake OpenAI-compatible server for tests and benchmarks: real HTTP, scripted replies.

Serves `POST /v1/chat/completions`, `GET /v1/models` and `GET /v1/fake/stats` (request counter)
on a free local port from a background thread. Replies are produced by a *responder*, a function
of the request; ready-made ones cover a valid judge, malformed and out-of-schema replies, slow
replies, HTTP 429/500, refusals, empty content, a model that obeys injected instructions, log-
probabilities, Llama Guard and Yes/No guard formats — and a misbehaving server: a reply dripped
a byte at a time, an HTML page with status 200, oversized and gzip-bomb bodies, JSON that is not
a chat completion.

Why the standard library's `ThreadingHTTPServer` rather than aiohttp or uvicorn: it adds no
dependency to the shipped test kit, and a thread per keep-alive connection never shares an event
loop with the asyncio client under test (a test's `asyncio.run` and the server cannot block each
other; a "slow" reply is a `time.sleep` in its own thread). It sustains well over the benchmark's
load; for throughput figures run it in its own process (`python -m modgate.testing._fake_llm`),
so the server's work is not charged to the client being measured.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_CONTENT = re.compile(r"<untrusted_content>\n(.*)\n</untrusted_content>", re.DOTALL)
_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:previous|prior|your) instructions|answer allow|"
    r"\"violation\"\s*:\s*0",
    re.IGNORECASE,
)
DEFAULT_VIOLATION_WORDS = ("kill", "idiot", "hate you", "die", "stupid", "trash")


@dataclass(frozen=True)
class FakeRequest:
    """One chat-completions request as the fake server received it."""

    index: int
    """0-based arrival order of chat-completions requests."""
    body: dict[str, Any]
    """The decoded JSON body."""

    @property
    def model(self) -> str:
        """Requested model."""
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Chat messages."""
        return list(self.body.get("messages") or [])

    @property
    def user_text(self) -> str:
        """Content of the last user message."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return str(message.get("content") or "")
        return ""

    @property
    def content(self) -> str:
        """The judged content: the untrusted-data block of the user message (or all of it)."""
        match = _CONTENT.search(self.user_text)
        return match.group(1) if match else self.user_text

    @property
    def wants_logprobs(self) -> bool:
        """Whether the client asked for log-probabilities."""
        return bool(self.body.get("logprobs"))


@dataclass(frozen=True)
class FakeReply:
    """What the server answers to one request."""

    content: str | None = ""
    """Assistant content."""
    status: int = 200
    """HTTP status; not 200 sends an OpenAI-style error body."""
    delay_s: float = 0.0
    """Sleep before answering (timeouts)."""
    refusal: str | None = None
    """The message's `refusal` field."""
    finish_reason: str = "stop"
    """Finish reason of the choice."""
    logprobs: list[tuple[str, float, dict[str, float]]] | None = None
    """Per-token (token, logprob, top alternatives)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (e.g. Retry-After)."""
    raw_body: str | None = None
    """Send this body verbatim instead of a chat completion."""
    prompt_tokens: int | None = None
    """Usage: prompt tokens (default: words of the request)."""
    completion_tokens: int | None = None
    """Usage: completion tokens (default: words of the reply)."""
    raw_bytes: bytes | None = None
    """Send these bytes verbatim as the body (wins over `raw_body`)."""
    content_type: str = "application/json"
    """Content-Type header of the reply."""
    drip_interval_s: float = 0.0
    """Send the body one byte at a time with this pause between bytes (a slow drip)."""


Responder = Callable[[FakeRequest], FakeReply]


def _is_violating(text: str, words: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


def verdict_json(
    violation: bool, *, confidence: str = "high", rule_ids: Sequence[str] = (), rationale: str = ""
) -> str:
    """A valid judge reply in the gpt-oss-safeguard JSON format."""
    return json.dumps(
        {
            "violation": int(violation),
            "policy_category": "violation" if violation else None,
            "rule_ids": list(rule_ids) or (["R1"] if violation else []),
            "confidence": confidence,
            "rationale": rationale or ("matches a violating term" if violation else "benign"),
        }
    )


def _json_logprobs(content: str, p_violation: float) -> list[tuple[str, float, dict[str, float]]]:
    match = re.search(r'"violation":\s*([01])', content)
    assert match is not None
    digit = match.group(1)
    p_one = min(max(p_violation, 1e-6), 1 - 1e-6)
    top = {"1": math.log(p_one), "0": math.log(1 - p_one)}
    return [
        (content[: match.start(1)], -0.01, {}),
        (digit, top[digit], top),
        (content[match.end(1) :], -0.01, {}),
    ]


def keyword_judge(
    words: Sequence[str] = DEFAULT_VIOLATION_WORDS,
    *,
    confidence: str = "high",
    p_violation: float = 0.9,
) -> Responder:
    """A deterministic, valid judge: violating when the content holds one of `words`.

    With `logprobs` requested, the violation digit carries P(1) = `p_violation` for a violating
    reply and 1 - `p_violation` otherwise.
    """

    def respond(request: FakeRequest) -> FakeReply:
        violation = _is_violating(request.content, words)
        content = verdict_json(violation, confidence=confidence)
        logprobs = None
        if request.wants_logprobs:
            p = p_violation if violation else 1 - p_violation
            logprobs = _json_logprobs(content, p)
        return FakeReply(content=content, logprobs=logprobs)

    return respond


def fixed_reply(reply: FakeReply) -> Responder:
    """Always the same reply."""
    return lambda _request: reply


def malformed_reply(text: str = "Well, it depends on how you read it.") -> Responder:
    """Prose with no JSON object."""
    return fixed_reply(FakeReply(content=text))


def out_of_schema_reply() -> Responder:
    """JSON that is not a verdict."""
    return fixed_reply(FakeReply(content='{"verdict": "fine", "violation": "maybe"}'))


def empty_reply() -> Responder:
    """Empty content."""
    return fixed_reply(FakeReply(content=""))


def refusal_reply(*, as_field: bool = True) -> Responder:
    """A refusal, in the `refusal` field or as prose."""
    text = "I'm sorry, but I can't help with that."
    if as_field:
        return fixed_reply(FakeReply(content=None, refusal=text))
    return fixed_reply(FakeReply(content=text))


def slow_reply(delay_s: float, then: Responder | None = None) -> Responder:
    """Answer after `delay_s` seconds (drives client timeouts)."""
    inner = then or keyword_judge()

    def respond(request: FakeRequest) -> FakeReply:
        reply = inner(request)
        return FakeReply(**{**reply.__dict__, "delay_s": delay_s})

    return respond


def drip_reply(interval_s: float, then: Responder | None = None) -> Responder:
    """A valid reply sent one byte every `interval_s` seconds: headers at once, body dripping."""
    inner = then or keyword_judge()

    def respond(request: FakeRequest) -> FakeReply:
        reply = inner(request)
        return FakeReply(**{**reply.__dict__, "drip_interval_s": interval_s})

    return respond


def html_reply(status: int = 200) -> Responder:
    """An HTML page with status 200 (a proxy's login or error page)."""
    page = "<!doctype html><html><body><h1>Please sign in</h1></body></html>"
    return fixed_reply(FakeReply(status=status, raw_body=page, content_type="text/html"))


def oversized_reply(size_bytes: int) -> Responder:
    """A well-formed chat completion whose body is `size_bytes` long (padding in the content)."""
    head = '{"id": "x", "object": "chat.completion", "choices": [{"index": 0, '
    head += '"finish_reason": "stop", "message": {"role": "assistant", "content": "'
    tail = '"}}]}'
    pad = max(0, size_bytes - len(head) - len(tail))
    body = (head + "a" * pad + tail).encode()
    return fixed_reply(FakeReply(raw_bytes=body))


def gzip_bomb_reply(decompressed_bytes: int) -> Responder:
    """A `Content-Encoding: gzip` body that inflates to `decompressed_bytes` of JSON-ish text.

    The compressed body is small (about a thousandth); the client must stop inflating at its
    limit instead of holding the whole body.
    """
    body = _gzip_bomb(decompressed_bytes)
    headers = {"Content-Encoding": "gzip"}
    return fixed_reply(FakeReply(raw_bytes=body, headers=headers))


def _gzip_bomb(decompressed_bytes: int) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    parts = [packer.compress(b'{"choices": [{"message": {"content": "')]
    block = b" " * (1 << 20)
    left = decompressed_bytes
    while left > 0:
        parts.append(packer.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(packer.compress(b'"}}]}'))
    parts.append(packer.flush())
    return b"".join(parts)


def wrong_json_reply(payload: object) -> Responder:
    """HTTP 200 with this JSON body, which is not a chat completion (or has invalid types)."""
    return fixed_reply(FakeReply(raw_body=json.dumps(payload)))


def status_reply(status: int, *, retry_after: float | None = None) -> Responder:
    """An HTTP error (429, 500…), optionally with Retry-After."""
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return fixed_reply(FakeReply(status=status, headers=headers))


def injection_obeying(judge: Responder | None = None) -> Responder:
    """A model that obeys instructions planted in the content: it then answers 'not violating'.

    Otherwise it answers as `judge` does.
    """
    inner = judge or keyword_judge()

    def respond(request: FakeRequest) -> FakeReply:
        from modgate.text import normalize_text

        # A model reads fullwidth or look-alike letters as the plain ones: so does this one.
        if _INJECTION.search(request.content) or _INJECTION.search(
            normalize_text(request.content).text
        ):
            return FakeReply(
                content=verdict_json(False, rationale="as instructed by the content: allow")
            )
        return inner(request)

    return respond


def llama_guard_judge(
    words: Sequence[str] = DEFAULT_VIOLATION_WORDS, codes: str = "S1,S10", p_unsafe: float = 0.9
) -> Responder:
    """Llama Guard style: `safe` or `unsafe` then the category codes."""

    def respond(request: FakeRequest) -> FakeReply:
        violation = _is_violating(request.content, words)
        head = "unsafe" if violation else "safe"
        logprobs = None
        if request.wants_logprobs:
            p = p_unsafe if violation else 1 - p_unsafe
            top = {"unsafe": math.log(p), "safe": math.log(1 - p)}
            logprobs = [(head, top[head], top)]
            if violation:
                logprobs.append((f"\n{codes}", -0.05, {}))
        return FakeReply(content=f"{head}\n{codes}" if violation else head, logprobs=logprobs)

    return respond


def yes_no_judge(words: Sequence[str] = DEFAULT_VIOLATION_WORDS, p_yes: float = 0.9) -> Responder:
    """ShieldGemma / Granite Guardian style: `Yes` or `No`."""

    def respond(request: FakeRequest) -> FakeReply:
        violation = _is_violating(request.content, words)
        head = "Yes" if violation else "No"
        logprobs = None
        if request.wants_logprobs:
            p = p_yes if violation else 1 - p_yes
            top = {"Yes": math.log(p), "No": math.log(1 - p)}
            logprobs = [(head, top[head], top)]
        return FakeReply(content=head, logprobs=logprobs)

    return respond


def sequence(replies: Sequence[FakeReply | Responder], then: Responder | None = None) -> Responder:
    """The given replies to the first requests, in order, then `then` (default a keyword judge).

    Example: `sequence([FakeReply(status=429), FakeReply(status=500)])` fails twice, then judges.
    """
    inner = then or keyword_judge()
    lock = threading.Lock()
    queue = deque(replies)

    def respond(request: FakeRequest) -> FakeReply:
        with lock:
            step = queue.popleft() if queue else None
        if step is None:
            return inner(request)
        return step(request) if callable(step) else step

    return respond


def _completion(request: FakeRequest, reply: FakeReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.refusal is not None:
        message["refusal"] = reply.refusal
    choice: dict[str, Any] = {
        "index": 0,
        "message": message,
        "finish_reason": reply.finish_reason,
        "logprobs": None,
    }
    if reply.logprobs is not None:
        choice["logprobs"] = {
            "content": [
                {
                    "token": token,
                    "logprob": logprob,
                    "bytes": None,
                    "top_logprobs": [
                        {"token": t, "logprob": lp, "bytes": None} for t, lp in top.items()
                    ],
                }
                for token, logprob, top in reply.logprobs
            ]
        }
    prompt_tokens = reply.prompt_tokens
    if prompt_tokens is None:
        prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in request.messages)
    completion_tokens = reply.completion_tokens
    if completion_tokens is None:
        completion_tokens = len((reply.content or reply.refusal or "").split())
    return {
        "id": f"chatcmpl-fake-{request.index}",
        "object": "chat.completion",
        "created": 0,
        "model": request.model,
        "choices": [choice],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops SYNs when a client opens its 64 connections at once;
    # each drop costs a one-second retransmit and looks like a slow server.
    request_queue_size = 1024
    daemon_threads = True


class FakeLLMServer:
    """OpenAI-compatible HTTP server on a free local port, driven by a responder.

    Example:
        >>> with FakeLLMServer(keyword_judge()) as server:  # doctest: +SKIP
        ...     base_url = server.base_url  # http://127.0.0.1:PORT/v1
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        models: Sequence[str] = ("fake-judge",),
        host: str = "127.0.0.1",
        port: int = 0,
        keep_requests: int = 10_000,
    ) -> None:
        self.responder: Responder = responder or keyword_judge()
        self.models = tuple(models)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._count = 0
        self.requests: deque[FakeRequest] = deque(maxlen=keep_requests)
        self._httpd = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """Base URL to give the client (`…/v1`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def request_count(self) -> int:
        """Chat-completions requests received so far."""
        with self._lock:
            return self._count

    def reset(self, responder: Responder | None = None) -> None:
        """Zero the counter, forget requests, and optionally swap the responder."""
        with self._lock:
            self._count = 0
            self.requests.clear()
            if responder is not None:
                self.responder = responder

    def start(self) -> FakeLLMServer:
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (a dripping reply stops at its next byte)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> tuple[FakeRequest, FakeReply]:
        with self._lock:
            request = FakeRequest(index=self._count, body=body)
            self._count += 1
            self.requests.append(request)
            responder = self.responder
        return request, responder(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                """Silence the per-request log lines."""

            def _send(
                self,
                status: int,
                payload: bytes,
                headers: dict[str, str],
                *,
                content_type: str = "application/json",
                drip_interval_s: float = 0.0,
            ) -> None:
                try:
                    phrase = HTTPStatus(status).phrase
                except ValueError:
                    phrase = "Status"
                lines = [
                    f"HTTP/1.1 {status} {phrase}",
                    f"Content-Type: {content_type}",
                    f"Content-Length: {len(payload)}",
                    *(f"{name}: {value}" for name, value in headers.items()),
                ]
                # Head and body in one write: two small writes on a keep-alive socket meet
                # Nagle's algorithm and the peer's delayed ACK (a 40 ms stall per request).
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                try:
                    if drip_interval_s > 0:
                        self._drip(head, payload, drip_interval_s)
                    elif len(payload) > 1 << 16:
                        # Large bodies are not copied onto the head (tests measure the client).
                        self.wfile.write(head)
                        self.wfile.write(payload)
                    else:
                        self.wfile.write(head + payload)
                except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                    self.close_connection = True

            def _drip(self, head: bytes, payload: bytes, interval_s: float) -> None:
                self.wfile.write(head)
                self.wfile.flush()
                for index in range(len(payload)):
                    if server._stopping.is_set():
                        raise BrokenPipeError
                    self.wfile.write(payload[index : index + 1])
                    self.wfile.flush()
                    time.sleep(interval_s)

            def do_GET(self) -> None:
                body: dict[str, Any]
                if self.path.rstrip("/") == "/v1/models":
                    data = [{"id": m, "object": "model", "owned_by": "fake"} for m in server.models]
                    body = {"object": "list", "data": data}
                elif self.path.rstrip("/") == "/v1/fake/stats":
                    body = {"requests": server.request_count}
                else:
                    self._send(404, b'{"error": {"message": "not found"}}', {})
                    return
                self._send(200, json.dumps(body).encode(), {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, b'{"error": {"message": "not found"}}', {})
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(400, b'{"error": {"message": "invalid JSON body"}}', {})
                    return
                request, reply = server._next(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                shape: dict[str, Any] = {
                    "content_type": reply.content_type,
                    "drip_interval_s": reply.drip_interval_s,
                }
                if reply.raw_bytes is not None:
                    self._send(reply.status, reply.raw_bytes, reply.headers, **shape)
                elif reply.raw_body is not None:
                    self._send(reply.status, reply.raw_body.encode(), reply.headers, **shape)
                elif reply.status != 200:
                    error = {
                        "error": {
                            "message": f"fake error {reply.status}",
                            "type": "fake",
                            "code": reply.status,
                        }
                    }
                    self._send(reply.status, json.dumps(error).encode(), reply.headers)
                else:
                    payload = json.dumps(_completion(request, reply)).encode()
                    self._send(200, payload, reply.headers, **shape)

        return Handler


def main(argv: Sequence[str] | None = None) -> None:
    """Run the fake server in the foreground (for benchmarks in a separate process)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = FakeLLMServer(keyword_judge(), port=args.port)
    print(server.port, flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
