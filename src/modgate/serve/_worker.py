"""`modgate worker`: decide items read from a Redis Stream through a consumer group.

At-least-once delivery made exactly-once in the store: the decision id of a message is
`stream:<stream>:<message id>`, decisions are written idempotently under it, and a message
is acknowledged only after the transaction holding its decision committed. A worker that dies
leaves its messages pending; another claims them with XAUTOCLAIM once they were idle for
`claim_idle_ms`. A message that fails `max_attempts` times (or cannot be parsed) goes to the
dead-letter stream with its error and is acknowledged.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modgate.domain import AuthorInfo, Decision, Item
from modgate.enforce import existing_decision_ids
from modgate.registry import Registry
from modgate.release import (
    EnforcerPool,
    decide_with_deployments,
    load_deployment_snapshot,
    refresh_snapshot,
)
from modgate.serve._gc import freeze_loaded_objects
from modgate.serve._metrics import ServeMetrics
from modgate.serve._schemas import ItemRequest
from modgate.serve._service import acting_refs, live_snapshot
from modgate.serve._shadow import ShadowQueue
from modgate.store import Store

log = logging.getLogger("modgate.worker")


class WorkerSettings(BaseModel):
    """How a stream worker runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    redis_url: str = "redis://127.0.0.1:6379/0"
    """Redis to read from."""
    stream: str = "modgate:items"
    """Stream of items: each message has a field `item` holding one item as JSON."""
    group: str = "modgate"
    """Consumer group (all workers of one deployment share it)."""
    consumer: str
    """This worker's name in the group (unique per process)."""
    dead_letter_stream: str = "modgate:items:dead"
    """Where messages go after `max_attempts` failures, with their error."""
    output_stream: str | None = None
    """When set, every decision is also added here (`decision` field, JSON)."""
    batch_size: int = Field(default=200, ge=1)
    """Messages read and committed together."""
    block_ms: int = Field(default=1000, ge=1)
    """How long a read waits for new messages."""
    claim_idle_ms: int = Field(default=60_000, ge=1)
    """Messages pending this long on another consumer are claimed (a dead worker's)."""
    max_attempts: int = Field(default=5, ge=1)
    """Deliveries before a failing message goes to the dead-letter stream."""
    shadow_queue_size: int = Field(default=1_000, ge=1)
    """Batches waiting for shadow enforcers; when full, shadow work is dropped and counted."""


def message_decision_id(stream: str, message_id: str) -> str:
    """The decision id of a stream message (idempotency key)."""
    return f"stream:{stream}:{message_id}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def parse_message(fields: dict[Any, Any]) -> Item:
    """The item of a message (`item` field, JSON of the HTTP item shape).

    Raises:
        ValueError: No `item` field, bad JSON or a bad item (the message says which).
    """
    raw = {_text(k): v for k, v in fields.items()}.get("item")
    if raw is None:
        raise ValueError("message has no 'item' field")
    try:
        request = ItemRequest.model_validate_json(_text(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "item"
        raise ValueError(f"bad item: {where}: {first['msg']}") from None
    return Item(
        id=request.id, kind=request.kind, community=request.community, title=request.title,
        body=request.body, url=request.url, author_id=request.author_id,
        author=None if request.author is None else AuthorInfo(**request.author.model_dump()),
        parent_id=request.parent_id, parent_text=request.parent_text,
        created_at=request.created_at, language=request.language,
    )  # fmt: skip


class StreamWorker:
    """One consumer of the group; `run` until `stop` is set (SIGTERM in `modgate worker`).

    Args:
        store: The store (decision log).
        workspace: Workspace root.
        redis: A redis-py client.
        settings: Stream, group, consumer and limits.
        metrics: Where to count (the service's series).
        registry: Enforcer kinds (default: installed plugins).
    """

    def __init__(
        self,
        store: Store,
        workspace: Path,
        redis: Any,
        settings: WorkerSettings,
        metrics: ServeMetrics | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.store = store
        self.redis = redis
        self.settings = settings
        self.metrics = metrics or ServeMetrics()
        self.pool = EnforcerPool(store, workspace, registry)
        self.snapshot = load_deployment_snapshot(store)
        self.processed = 0
        self.shadow = ShadowQueue(
            store, self.pool, self.metrics, lambda: self.snapshot, settings.shadow_queue_size
        )

    def ensure_group(self) -> None:
        """Create the stream and the consumer group if they do not exist."""
        from redis.exceptions import ResponseError

        try:
            self.redis.xgroup_create(
                self.settings.stream, self.settings.group, id="0", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run(self, stop: threading.Event) -> None:
        """Read, decide, commit, acknowledge until `stop` is set (the batch in hand finishes).

        Shadow enforcers judge the decided items on a thread of their own meanwhile (bounded:
        when it falls behind, shadow work is dropped and counted, never the live writes).
        """
        self.ensure_group()
        for ref in acting_refs(self.snapshot):  # load before the first message, then freeze
            try:
                self.pool.get(ref)
            except Exception as exc:  # the messages it decides fail (and dead-letter) instead
                log.error("enforcer %s failed to load: %s", ref, exc)
        freeze_loaded_objects()
        self.shadow.start()
        try:
            self._run(stop)
        finally:
            self.shadow.stop()

    def _run(self, stop: threading.Event) -> None:
        s = self.settings
        while not stop.is_set():
            fresh = refresh_snapshot(self.store, self.snapshot)
            if fresh is not self.snapshot:
                log.warning(
                    "deployments switched: %s -> %s",
                    ",".join(self.snapshot.deployment_ids), ",".join(fresh.deployment_ids),
                )  # fmt: skip
                self.metrics.deployment_switches.inc()
                self.snapshot = fresh
            claimed = self.redis.xautoclaim(
                s.stream, s.group, s.consumer, s.claim_idle_ms, "0-0", count=s.batch_size
            )
            messages = list(claimed[1]) if claimed else []
            if not messages:
                read = self.redis.xreadgroup(
                    s.group, s.consumer, {s.stream: ">"}, count=s.batch_size, block=s.block_ms
                )
                messages = [m for _, batch in (read or []) for m in batch]
            if messages:
                self.handle(messages)

    def handle(self, messages: Sequence[tuple[Any, Any]]) -> None:
        """Decide a batch of (message id, fields), commit, then acknowledge."""
        s = self.settings
        parsed: list[tuple[str, Item]] = []
        for raw_id, fields in messages:
            message_id = _text(raw_id)
            if fields is None:  # deleted from the stream while pending
                self.redis.xack(s.stream, s.group, message_id)
                continue
            try:
                parsed.append((message_id, parse_message(fields)))
            except ValueError as exc:
                self._dead_letter(message_id, fields, str(exc))
        try:
            decided, durable = self._decide(parsed)
        except Exception as exc:
            self.metrics.errors.labels("commit").inc()
            log.error("batch of %d failed (%s); retrying one by one", len(parsed), exc)
            decided, durable = [], set()
            for message_id, item in parsed:
                try:
                    made, stored = self._decide([(message_id, item)])
                except Exception as one:
                    self._failed(message_id, item, f"{type(one).__name__}: {one}")
                else:
                    decided.extend(made)
                    durable |= stored
        if s.output_stream is not None and decided:
            pipe = self.redis.pipeline(transaction=False)
            for decision in decided:
                pipe.xadd(s.output_stream, {"decision": decision.model_dump_json()})
            pipe.execute()
        done = [message_id for message_id, _ in parsed]
        to_ack = [m for m in done if message_decision_id(s.stream, m) in durable]
        if to_ack:
            self.redis.xack(s.stream, s.group, *to_ack)
        self.processed += len(to_ack)

    def _decide(self, parsed: Sequence[tuple[str, Item]]) -> tuple[list[Decision], set[str]]:
        """Decisions made now, and every decision id now durable (made or stored before)."""
        s = self.settings
        ids = [message_decision_id(s.stream, m) for m, _ in parsed]
        already = existing_decision_ids(self.store, ids)
        out: list[Decision] = []
        pending = [(m, item) for m, item in parsed
                   if message_decision_id(s.stream, m) not in already]  # fmt: skip
        live = live_snapshot(self.snapshot)
        while pending:  # rounds without a repeated item id (one decision per item per call)
            seen: set[str] = set()
            now: list[tuple[str, Item]] = []
            later: list[tuple[str, Item]] = []
            for m, item in pending:
                (later if item.id in seen else now).append((m, item))
                seen.add(item.id)
            decisions = decide_with_deployments(
                self.store, live, [item for _, item in now], enforcers=self.pool,
                decision_ids={item.id: message_decision_id(s.stream, m) for m, item in now},
            )  # fmt: skip
            out.extend(decisions)
            self.metrics.count_decisions(decisions)
            self.shadow.offer([item for _, item in now])
            pending = later
        # already stored (a redelivery after a crash between commit and ack): acked too
        return out, already | {d.decision_id for d in out}

    def _failed(self, message_id: str, item: Item, error: str) -> None:
        s = self.settings
        info = self.redis.xpending_range(s.stream, s.group, message_id, message_id, 1)
        attempts = int(info[0]["times_delivered"]) if info else 1
        if attempts >= s.max_attempts:
            self._dead_letter(message_id, {"item": item.model_dump_json()}, error, attempts)
        else:
            log.error("message %s failed (attempt %d): %s", message_id, attempts, error)

    def _dead_letter(
        self, message_id: str, fields: dict[Any, Any], error: str, attempts: int = 1
    ) -> None:
        s = self.settings
        payload = {_text(k): _text(v) for k, v in fields.items()}
        self.redis.xadd(
            s.dead_letter_stream,
            {"message_id": message_id, "error": error, "attempts": str(attempts),
             "fields": json.dumps(payload)},
        )  # fmt: skip
        self.redis.xack(s.stream, s.group, message_id)
        self.metrics.errors.labels("dead_letter").inc()
        log.error("message %s dead-lettered after %d attempt(s): %s", message_id, attempts, error)


__all__ = ["StreamWorker", "WorkerSettings", "message_decision_id", "parse_message"]
