"""Persistence of the enforce package: catalog, verdicts, decisions, LLM cache and run records.

The only module of `enforce` that touches the database; it receives a `Store` (or a connection
inside the caller's transaction) and returns typed records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from modgate.domain import (
    Action,
    Decision,
    DeploymentArm,
    Effect,
    ReasonCode,
    Verdict,
    VersionRef,
)
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.llm._cache import CachedReply
from modgate.enforce.llm._parse import Judgement
from modgate.enforce.llm._stats import LLMRunStats
from modgate.errors import ConflictError, EnforcerError, NotFoundError
from modgate.store import (
    Store,
    batched,
    bulk_upsert,
    decisions,
    enforcer_versions,
    insert_new_rows,
    items,
    llm_cache,
    llm_runs,
    record_audit_event,
    verdicts,
)


class EnforcerVersion(BaseModel):
    """One immutable, registered version of an enforcer (a row of the catalog)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Enforcer name."""
    version: int
    """Version number, 1, 2, … per name."""
    kind: str
    """Registry kind."""
    policy: str | None
    """`policy_id@version` it enforces."""
    spec: EnforcerSpec
    """The spec, with `version` set."""
    spec_hash: str
    """sha256 of the canonical spec."""
    artifact_hash: str | None
    """sha256 of the model or predictions file, when the kind has one."""
    data_hash: str | None
    """sha256 of the training rows, for trained kinds."""
    version_hash: str
    """sha256 over spec, artifact and data hashes: what identifies the version."""
    artifact_path: str | None
    """Artifact file, relative to the workspace."""
    metrics: dict[str, Any]
    """Dev-split metrics recorded at training."""
    created_at: datetime
    """When it was registered (UTC)."""
    created_by: str
    """Who registered it."""

    @property
    def ref(self) -> str:
        """`name@version`."""
        return f"{self.name}@{self.version}"


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def spec_hash(spec: EnforcerSpec) -> str:
    """sha256 of the canonical spec, version excluded."""
    body = spec.model_dump(mode="json", exclude={"version"})
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def version_hash(spec_sha: str, artifact_sha: str | None, data_sha: str | None) -> str:
    """sha256 identifying a version: spec + artifact + training data."""
    joined = f"spec:{spec_sha}\nartifact:{artifact_sha or ''}\ndata:{data_sha or ''}\n"
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _to_version(row: Any) -> EnforcerVersion:
    spec = EnforcerSpec.model_validate({**row["spec"], "version": row["version"]})
    return EnforcerVersion(
        name=row["name"],
        version=row["version"],
        kind=row["kind"],
        policy=row["policy"],
        spec=spec,
        spec_hash=row["spec_hash"],
        artifact_hash=row["artifact_hash"],
        data_hash=row["data_hash"],
        version_hash=row["version_hash"],
        artifact_path=row["artifact_path"],
        metrics=row["metrics"] or {},
        created_at=_aware(row["created_at"]),
        created_by=row["created_by"],
    )


def insert_enforcer_version(
    store: Store,
    spec: EnforcerSpec,
    *,
    actor: str,
    artifact_hash: str | None = None,
    data_hash: str | None = None,
    artifact_path: str | None = None,
    metrics: dict[str, Any] | None = None,
) -> tuple[EnforcerVersion, bool]:
    """Add a version to the catalog, or return the existing one with identical content.

    The version number is the next free one for the name; the identity is the version hash
    (spec + artifact + training data), so registering the same content twice returns the
    first version and writes nothing. A new version is audited (`enforcer.register`).

    Returns:
        The version and whether it was created now.

    Raises:
        ConflictError: Another process registered the same name at the same moment twice in a
            row.
    """
    s_hash = spec_hash(spec)
    v_hash = version_hash(s_hash, artifact_hash, data_hash)
    body = spec.model_dump(mode="json", exclude={"version"})
    for _attempt in range(3):
        try:
            with store.begin() as conn:
                existing = (
                    conn.execute(
                        select(enforcer_versions).where(
                            and_(
                                enforcer_versions.c.name == spec.name,
                                enforcer_versions.c.version_hash == v_hash,
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                if existing is not None:
                    return _to_version(existing), False
                latest = conn.execute(
                    select(func.max(enforcer_versions.c.version)).where(
                        enforcer_versions.c.name == spec.name
                    )
                ).scalar_one()
                now = datetime.now(UTC)
                row = {
                    "name": spec.name,
                    "version": (latest or 0) + 1,
                    "kind": spec.kind,
                    "policy": spec.policy,
                    "spec": body,
                    "spec_hash": s_hash,
                    "artifact_hash": artifact_hash,
                    "data_hash": data_hash,
                    "version_hash": v_hash,
                    "artifact_path": artifact_path,
                    "metrics": metrics or {},
                    "created_at": now,
                    "created_by": actor,
                }
                conn.execute(enforcer_versions.insert().values(**row))
                record_audit_event(
                    conn,
                    actor=actor,
                    action="enforcer.register",
                    object_type="enforcer",
                    object_id=f"{spec.name}@{row['version']}",
                    details={
                        "kind": spec.kind,
                        "policy": spec.policy,
                        "version_hash": v_hash,
                        "artifact_hash": artifact_hash,
                        "data_hash": data_hash,
                    },
                    at=now,
                )
                return _to_version(row), True
        except IntegrityError:
            continue  # a concurrent registration took the number; look again
    raise ConflictError(f"could not register {spec.name}: concurrent registrations")


def verify_version_hashes(version: EnforcerVersion) -> None:
    """Cross-check a catalog row's hashes before anything it names is loaded.

    The spec is re-hashed and compared with `spec_hash`; `version_hash` is recomputed from the
    spec, artifact and data hashes; a hash the spec itself pins (`params.*_sha256`, e.g. the
    classifier's `artifact_sha256`) must be the row's `artifact_hash`. A row edited in one
    place (the artifact hash pointed at another pickle, the spec's path changed) is refused
    here, before the artifact is read, let alone unpickled.

    Raises:
        EnforcerError: A hash does not match; the message names which.
    """
    problems: list[str] = []
    recomputed = spec_hash(version.spec)
    if recomputed != version.spec_hash:
        problems.append("the spec does not match its spec_hash")
    expected = version_hash(version.spec_hash, version.artifact_hash, version.data_hash)
    if expected != version.version_hash:
        problems.append("spec_hash, artifact_hash and data_hash do not give its version_hash")
    pinned = {
        value
        for key, value in version.spec.params.items()
        if key.endswith("_sha256") and isinstance(value, str) and value
    }
    if pinned and version.artifact_hash not in pinned:
        problems.append("the artifact hash in the spec is not its artifact_hash")
    if problems:
        raise EnforcerError(
            f"enforcer {version.ref}: catalog row fails its hash check ({'; '.join(problems)}): "
            "refusing to load it",
            hint="the database row was changed after registration; register the spec again "
            "and investigate who wrote to the enforcer_versions table",
        )


def parse_enforcer_ref(ref: str) -> tuple[str, int | None]:
    """Split `name@version` (or a bare `name`: the latest version).

    Raises:
        ValidationError: The version is not a positive integer.
    """
    name, version = VersionRef.parse(ref, what="enforcer reference")
    return name, version


def get_enforcer_version(store: Store, ref: str) -> EnforcerVersion:
    """Fetch `name@version` from the catalog (`name` alone: its latest version).

    Raises:
        NotFoundError: No such enforcer or version; the hint lists known versions.
    """
    name, version = parse_enforcer_ref(ref)
    query = select(enforcer_versions).where(enforcer_versions.c.name == name)
    if version is None:
        query = query.order_by(enforcer_versions.c.version.desc()).limit(1)
    else:
        query = query.where(enforcer_versions.c.version == version)
    with store.connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            known = (
                conn.execute(
                    select(enforcer_versions.c.version)
                    .where(enforcer_versions.c.name == name)
                    .order_by(enforcer_versions.c.version)
                )
                .scalars()
                .all()
            )
    if row is None:
        hint = (
            f"known versions: {', '.join(f'{name}@{v}' for v in known)}"
            if known
            else "register it: modgate enforcer register enforcers/NAME.yaml"
        )
        raise NotFoundError(f"no enforcer {ref!r} in the catalog", hint=hint)
    return _to_version(row)


def list_enforcer_versions(store: Store, *, name: str | None = None) -> list[EnforcerVersion]:
    """Catalog entries, by name then version."""
    query = select(enforcer_versions).order_by(
        enforcer_versions.c.name, enforcer_versions.c.version
    )
    if name is not None:
        query = query.where(enforcer_versions.c.name == name)
    with store.connect() as conn:
        return [_to_version(row) for row in conn.execute(query).mappings()]


# --- verdicts -------------------------------------------------------------------------------


def _verdict_row(verdict: Verdict, version: EnforcerVersion, now: datetime) -> dict[str, Any]:
    return {
        "item_id": verdict.item_id,
        "policy": verdict.policy,
        "enforcer": version.name,
        "enforcer_version": version.version,
        "score": float(verdict.score),
        "label": verdict.label,
        "action": verdict.action.value,
        "criteria": list(verdict.criteria),
        "rationale": verdict.rationale,
        "latency_ms": float(verdict.latency_ms),
        "cost": float(verdict.cost),
        "error": verdict.error,
        "created_at": now,
        "effects": [e.model_dump(mode="json", exclude_none=True) for e in verdict.effects] or None,
    }


def write_verdicts(
    conn: Connection, batch: Sequence[Verdict], version: EnforcerVersion, *, now: datetime
) -> int:
    """Insert verdicts in the caller's transaction; one already stored is left unchanged.

    The unique key (enforcer, version, item, policy) makes re-scoring idempotent.

    Returns:
        Rows offered (duplicates of stored verdicts are skipped by the database).
    """
    rows = [_verdict_row(v, version, now) for v in batch]
    return bulk_upsert(
        conn, verdicts, rows, key=["enforcer", "enforcer_version", "item_id", "policy"], update=[]
    )


def scored_item_ids(store: Store, version: EnforcerVersion, policy: str) -> set[str]:
    """Ids of the items that already have a verdict of this enforcer version for `policy`."""
    query = select(verdicts.c.item_id).where(
        and_(
            verdicts.c.enforcer == version.name,
            verdicts.c.enforcer_version == version.version,
            verdicts.c.policy == policy,
        )
    )
    with store.connect() as conn:
        return set(conn.execute(query).scalars())


def _row_to_verdict(row: Any) -> Verdict:
    return Verdict(
        item_id=row["item_id"],
        policy=row["policy"],
        enforcer=f"{row['enforcer']}@{row['enforcer_version']}",
        score=row["score"],
        label=row["label"],
        action=Action(row["action"]),
        criteria=tuple(row["criteria"] or ()),
        rationale=row["rationale"],
        latency_ms=row["latency_ms"],
        cost=row["cost"],
        error=row["error"],
        effects=tuple(Effect.model_validate(x) for x in row["effects"] or ()),
    )


def list_verdicts(
    store: Store,
    *,
    enforcer: str | None = None,
    version: int | None = None,
    item_ids: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[Verdict]:
    """Stored verdicts, optionally of one enforcer (version) and/or some items."""
    base = select(verdicts).order_by(verdicts.c.item_id, verdicts.c.enforcer, verdicts.c.policy)
    if enforcer is not None:
        base = base.where(verdicts.c.enforcer == enforcer)
    if version is not None:
        base = base.where(verdicts.c.enforcer_version == version)
    found: list[Verdict] = []
    with store.connect() as conn:
        if item_ids is None:
            query = base.limit(limit) if limit is not None else base
            return [_row_to_verdict(r) for r in conn.execute(query).mappings()]
        for chunk in batched(item_ids):
            rows = conn.execute(base.where(verdicts.c.item_id.in_(chunk))).mappings()
            found.extend(_row_to_verdict(r) for r in rows)
    return found[:limit] if limit is not None else found


# built once: an expanding IN keeps the statement's cache key the same for any number of ids
_STORED_VERDICTS = select(verdicts).where(
    verdicts.c.enforcer == bindparam("enforcer"),
    verdicts.c.enforcer_version == bindparam("version"),
    verdicts.c.item_id.in_(bindparam("item_ids", expanding=True)),
)


def stored_verdicts(
    conn: Connection, version: EnforcerVersion, item_ids: Sequence[str]
) -> list[Verdict]:
    """Stored verdicts of one enforcer version about these items, on the caller's connection.

    The statement is built once, so the per-call cost does not grow with SQLAlchemy's
    statement building (the service and worker call this once per group commit).
    """
    found: list[Verdict] = []
    for chunk in batched(item_ids):
        rows = conn.execute(
            _STORED_VERDICTS,
            {"enforcer": version.name, "version": version.version, "item_ids": chunk},
        ).mappings()
        found.extend(_row_to_verdict(r) for r in rows)
    return found


# --- items ------------------------------------------------------------------------------


def all_item_ids(store: Store) -> list[str]:
    """Every item id in the store, sorted."""
    with store.connect() as conn:
        return list(conn.execute(select(items.c.id).order_by(items.c.id)).scalars())


def record_scoring(
    store: Store, version: EnforcerVersion, *, actor: str, details: dict[str, Any]
) -> None:
    """Audit one batch-scoring run (`enforcer.score`)."""
    with store.begin() as conn:
        record_audit_event(
            conn,
            actor=actor,
            action="enforcer.score",
            object_type="enforcer",
            object_id=version.ref,
            details=details,
        )


# --- decisions ------------------------------------------------------------------------------


_NESTED = {"reasons", "deployments", "shadow"}


def write_decisions(conn: Connection, batch: Sequence[Decision]) -> int:
    """Insert decisions in the caller's transaction; a known `decision_id` is left unchanged."""
    return bulk_upsert(conn, decisions, _decision_rows(batch), key=["decision_id"], update=[])


def write_new_decisions(conn: Connection, batch: Sequence[Decision]) -> list[str]:
    """Insert decisions (a known `decision_id` is left unchanged); the ids actually inserted.

    What the monitor roll-ups count: a replayed decision is not returned, so it counts once.
    """
    return insert_new_rows(
        conn, decisions, _decision_rows(batch), key=["decision_id"], returning="decision_id"
    )


def _decision_rows(batch: Sequence[Decision]) -> list[dict[str, Any]]:
    rows = []
    for d in batch:
        # one serializer call per decision for its nested records (not one per record)
        dumped = d.model_dump(mode="json", include=_NESTED)
        rows.append(
            {
                "decision_id": d.decision_id,
                "item_id": d.item_id,
                "action": d.action.value,
                "reasons": dumped["reasons"],
                "decided_at": d.decided_at,
                "deployments": dumped["deployments"] or None,
                "shadow": dumped["shadow"] or None,
                "effects": [e.model_dump(mode="json", exclude_none=True) for e in d.effects]
                or None,
            }
        )
    return rows


def existing_decision_ids(store: Store, decision_ids: Iterable[str]) -> set[str]:
    """Which of these decision ids are stored (one indexed lookup per chunk)."""
    found: set[str] = set()
    with store.connect() as conn:
        for chunk in batched(decision_ids):
            query = select(decisions.c.decision_id).where(decisions.c.decision_id.in_(chunk))
            found.update(conn.execute(query).scalars())
    return found


_DECISIONS_BY_ID = select(decisions).where(
    decisions.c.decision_id.in_(bindparam("ids", expanding=True))
)


def list_decisions(
    store: Store,
    *,
    item_ids: Iterable[str] | None = None,
    decision_ids: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[Decision]:
    """Stored decisions, newest first, optionally for some items or some decision ids."""
    base = select(decisions).order_by(decisions.c.decided_at.desc(), decisions.c.id.desc())
    if decision_ids is not None:
        wanted = list(decision_ids)
        found: list[Any] = []
        with store.connect() as conn:
            for chunk in batched(wanted):
                found.extend(conn.execute(_DECISIONS_BY_ID, {"ids": chunk}).mappings())
        found.sort(key=lambda r: (r["decided_at"], r["id"]), reverse=True)
        return [_row_to_decision(r) for r in found][: limit if limit is not None else None]
    rows: list[Any] = []
    with store.connect() as conn:
        if item_ids is None:
            query = base.limit(limit) if limit is not None else base
            rows = list(conn.execute(query).mappings())
        else:
            for chunk in batched(item_ids):
                rows.extend(conn.execute(base.where(decisions.c.item_id.in_(chunk))).mappings())
    return [_row_to_decision(r) for r in rows][: limit if limit is not None else None]


def _row_to_decision(r: Any) -> Decision:
    return Decision(
        decision_id=r["decision_id"],
        item_id=r["item_id"],
        action=Action(r["action"]),
        reasons=tuple(ReasonCode.model_validate(x) for x in r["reasons"]),
        decided_at=_aware(r["decided_at"]),
        deployments=tuple(DeploymentArm.model_validate(x) for x in r["deployments"] or ()),
        shadow=tuple(ReasonCode.model_validate(x) for x in r["shadow"] or ()),
        effects=tuple(Effect.model_validate(x) for x in r["effects"] or ()),
    )


# --- LLM judge: response cache and run records (tables of 0009_llm) ---


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
        for chunk in batched(wanted):
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
    "EnforcerVersion",
    "all_item_ids",
    "canonical_json",
    "existing_decision_ids",
    "get_cached_replies",
    "get_enforcer_version",
    "get_llm_run",
    "insert_enforcer_version",
    "list_decisions",
    "list_enforcer_versions",
    "list_llm_runs",
    "list_verdicts",
    "parse_enforcer_ref",
    "put_cached_replies",
    "record_llm_run",
    "record_scoring",
    "scored_item_ids",
    "spec_hash",
    "stored_verdicts",
    "verify_version_hashes",
    "version_hash",
    "write_decisions",
    "write_verdicts",
]
