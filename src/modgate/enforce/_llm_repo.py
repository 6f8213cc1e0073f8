"""Persistence of the LLM judge: the response cache and run records (tables of issue 9).

Kept apart from the catalog's `_repo.py` so the two areas evolve without stepping on each other;
both receive the `Store` and return typed records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select

from modgate.enforce._llm_cache import CachedReply
from modgate.enforce._llm_parse import Judgement
from modgate.enforce._llm_stats import LLMRunStats
from modgate.errors import NotFoundError
from modgate.store import Store, bulk_upsert, llm_cache, llm_runs, record_audit_event

_IN_CHUNK = 500


def get_cached_replies(
    store: Store, model: str, prompt_hash: str, content_hashes: Iterable[str]
) -> dict[str, CachedReply]:
    """Cached replies for these contents, by content hash (misses are absent).

    Args:
        store: The store.
        model: Model name.
        prompt_hash: Prompt part of the key.
        content_hashes: Content parts of the keys wanted.

    Returns:
        Content hash → cached reply.
    """
    wanted = sorted(set(content_hashes))
    found: dict[str, CachedReply] = {}
    if not wanted:
        return found
    with store.connect() as conn:
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            rows = conn.execute(
                select(llm_cache).where(
                    llm_cache.c.model == model,
                    llm_cache.c.prompt_hash == prompt_hash,
                    llm_cache.c.content_hash.in_(chunk),
                )
            ).mappings()
            for row in rows:
                found[row["content_hash"]] = CachedReply(
                    raw_reply=row["raw_reply"],
                    judgement=Judgement.model_validate(row["result"]),
                    prompt_tokens=row["prompt_tokens"],
                    completion_tokens=row["completion_tokens"],
                    cost=row["cost"],
                    latency_ms=row["latency_ms"],
                )
    return found


def put_cached_replies(
    store: Store, model: str, prompt_hash: str, replies: Mapping[str, CachedReply]
) -> int:
    """Store replies by content hash; an existing entry for a key is kept.

    Returns:
        Rows offered for writing.
    """
    now = datetime.now(UTC)
    rows = [
        {
            "model": model,
            "prompt_hash": prompt_hash,
            "content_hash": key,
            "raw_reply": reply.raw_reply,
            "result": reply.judgement.model_dump(mode="json"),
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "cost": reply.cost,
            "latency_ms": reply.latency_ms,
            "created_at": now,
        }
        for key, reply in sorted(replies.items())
    ]
    if not rows:
        return 0
    with store.begin() as conn:
        bulk_upsert(conn, llm_cache, rows, key=["model", "prompt_hash", "content_hash"], update=[])
    return len(rows)


def record_llm_run(store: Store, stats: LLMRunStats, *, actor: str = "modgate") -> None:
    """Store a run's reliability figures, with its audit event, in one transaction."""
    with store.begin() as conn:
        conn.execute(
            llm_runs.insert().values(
                id=stats.run_id,
                enforcer=stats.enforcer,
                model=stats.model,
                prompt_hash=stats.prompt_hash,
                started_at=stats.started_at,
                finished_at=stats.finished_at,
                items=stats.items,
                calls=stats.calls,
                cache_hits=stats.cache_hits,
                errors=stats.errors,
                parse_failures=stats.parse_failures,
                cost=stats.cost,
                stats=stats.model_dump(mode="json"),
            )
        )
        record_audit_event(
            conn,
            actor=actor,
            action="llm.run",
            object_type="llm_run",
            object_id=stats.run_id,
            details={"enforcer": stats.enforcer, "items": stats.items, "errors": stats.errors},
        )


def list_llm_runs(
    store: Store, *, enforcer: str | None = None, limit: int = 100
) -> list[LLMRunStats]:
    """Recorded runs, newest first, optionally of one enforcer (`name@version`)."""
    query = select(llm_runs.c.stats).order_by(llm_runs.c.started_at.desc()).limit(limit)
    if enforcer is not None:
        query = query.where(llm_runs.c.enforcer == enforcer)
    with store.connect() as conn:
        return [LLMRunStats.model_validate(row[0]) for row in conn.execute(query)]


def get_llm_run(store: Store, run_id: str) -> LLMRunStats:
    """One recorded run.

    Raises:
        NotFoundError: No run has this id.
    """
    with store.connect() as conn:
        value = conn.execute(select(llm_runs.c.stats).where(llm_runs.c.id == run_id)).scalar()
    if value is None:
        raise NotFoundError(f"no LLM run with id {run_id!r}")
    return LLMRunStats.model_validate(value)


__all__ = [
    "get_cached_replies",
    "get_llm_run",
    "list_llm_runs",
    "put_cached_replies",
    "record_llm_run",
]
