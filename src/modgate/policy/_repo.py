"""Persistence of published policy versions: the only module of `policy` that touches tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from modgate.errors import ConflictError, NotFoundError
from modgate.policy._community_schema import CommunityRule, StoredCommunityRule
from modgate.policy._schema import Policy
from modgate.store import (
    Store,
    bulk_insert,
    community_families,
    community_family_members,
    community_imports,
    community_policy_versions,
    community_rules,
    policy_versions,
)


class PolicyVersionRecord(BaseModel):
    """One published policy version, as listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Policy id."""
    version: int
    """Version number."""
    scope: str
    """`site` or `community:<name>`."""
    title: str
    """Policy title."""
    content_hash: str
    """sha256 of the policy's canonical JSON."""
    prompt_hash: str
    """sha256 of the prompt compiled with the default template at publish time."""
    created_at: datetime
    """When it was published (UTC)."""
    created_by: str
    """Who published it."""

    @property
    def ref(self) -> str:
        """`id@version`."""
        return f"{self.id}@{self.version}"


class PublishedPolicy(BaseModel):
    """A published version with its full content."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: PolicyVersionRecord
    """Catalogue fields."""
    policy: Policy
    """The policy as published."""
    source_yaml: str | None
    """The YAML text it was published from."""


def _record(row: Any) -> PolicyVersionRecord:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite hands back naive datetimes; everything stored is UTC
        created = created.replace(tzinfo=UTC)
    return PolicyVersionRecord(
        id=row["id"],
        version=row["version"],
        scope=row["scope"],
        title=row["title"],
        content_hash=row["content_hash"],
        prompt_hash=row["prompt_hash"],
        created_at=created,
        created_by=row["created_by"],
    )


def stored_content_hash(conn: Connection, policy_id: str, version: int) -> str | None:
    """Content hash of a published version, or None when it is not published."""
    query = select(policy_versions.c.content_hash).where(
        policy_versions.c.id == policy_id, policy_versions.c.version == version
    )
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else str(value)


def latest_version(conn: Connection, policy_id: str) -> int | None:
    """Highest published version of a policy, or None."""
    query = select(func.max(policy_versions.c.version)).where(policy_versions.c.id == policy_id)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else int(value)


def insert_policy_version(
    conn: Connection,
    policy: Policy,
    *,
    content_hash: str,
    prompt_hash: str,
    source_yaml: str | None,
    actor: str,
    now: datetime,
) -> None:
    """Insert a new version in the caller's transaction.

    Raises:
        ConflictError: The (id, version) was published meanwhile.
    """
    try:
        conn.execute(
            insert(policy_versions).values(
                id=policy.id,
                version=policy.version,
                scope=policy.scope,
                title=policy.title,
                content_hash=content_hash,
                policy=policy.model_dump(mode="json"),
                source_yaml=source_yaml,
                prompt_hash=prompt_hash,
                created_at=now,
                created_by=actor,
            )
        )
    except IntegrityError as exc:
        raise ConflictError(f"{policy.ref} was published concurrently; run publish again") from exc


def get_policy_version(store: Store, policy_id: str, version: int | None = None) -> PublishedPolicy:
    """Fetch a published version (the newest when `version` is None).

    Raises:
        NotFoundError: No such policy or version.
    """
    query = select(policy_versions).where(policy_versions.c.id == policy_id)
    if version is None:
        query = query.order_by(policy_versions.c.version.desc()).limit(1)
    else:
        query = query.where(policy_versions.c.version == version)
    with store.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        what = policy_id if version is None else f"{policy_id}@{version}"
        raise NotFoundError(
            f"no published policy {what!r}", hint="`modgate policy list` shows what is published"
        )
    return PublishedPolicy(
        record=_record(row),
        policy=Policy.model_validate(row["policy"]),
        source_yaml=row["source_yaml"],
    )


def list_policy_versions(
    store: Store, *, policy_id: str | None = None, scope: str | None = None
) -> list[PolicyVersionRecord]:
    """Published versions, by id then version."""
    query = select(
        *(c for c in policy_versions.c if c.name not in ("policy", "source_yaml"))
    ).order_by(policy_versions.c.id, policy_versions.c.version)
    if policy_id is not None:
        query = query.where(policy_versions.c.id == policy_id)
    if scope is not None:
        query = query.where(policy_versions.c.scope == scope)
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_record(row) for row in rows]


# -- community policies at scale (issue 23) ------------------------------------------------------

_UPDATE_BATCH = 5000


def current_rule_hashes(conn: Connection) -> dict[tuple[str, str], tuple[int, str]]:
    """(community, rule key) → (version, content hash) of every current community rule."""
    query = select(
        community_rules.c.community,
        community_rules.c.rule_key,
        community_rules.c.version,
        community_rules.c.content_hash,
    ).where(community_rules.c.retired_in.is_(None))
    return {(c, k): (v, h) for c, k, v, h in conn.execute(query)}


def max_rule_versions(conn: Connection) -> dict[tuple[str, str], int]:
    """(community, rule key) → highest version ever stored, retired ones included."""
    query = select(
        community_rules.c.community,
        community_rules.c.rule_key,
        func.max(community_rules.c.version),
    ).group_by(community_rules.c.community, community_rules.c.rule_key)
    return {(c, k): int(v) for c, k, v in conn.execute(query)}


def current_community_versions(conn: Connection) -> dict[str, tuple[int, str]]:
    """Community → (version, content hash) of its newest community policy version."""
    newest = (
        select(
            community_policy_versions.c.community,
            func.max(community_policy_versions.c.version).label("version"),
        )
        .group_by(community_policy_versions.c.community)
        .subquery()
    )
    query = select(
        community_policy_versions.c.community,
        community_policy_versions.c.version,
        community_policy_versions.c.content_hash,
    ).join(
        newest,
        (newest.c.community == community_policy_versions.c.community)
        & (newest.c.version == community_policy_versions.c.version),
    )
    return {c: (int(v), h) for c, v, h in conn.execute(query)}


def insert_community_import(
    conn: Connection, *, source: str, actor: str, now: datetime, stats: dict[str, Any]
) -> int:
    """Record an import run; returns its id (ids increase with time)."""
    result = conn.execute(
        insert(community_imports).values(
            source=source, created_at=now, created_by=actor, stats=stats
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_community_import_stats(conn: Connection, import_id: int, stats: dict[str, Any]) -> None:
    """Store the final figures of an import run."""
    conn.execute(
        update(community_imports).where(community_imports.c.id == import_id).values(stats=stats)
    )


def insert_rule_versions(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Bulk-insert community rule versions (rows keyed by column name)."""
    return bulk_insert(conn, community_rules, rows)


def retire_rule_versions(
    conn: Connection, keys: list[tuple[str, str, int]], import_id: int
) -> None:
    """Mark (community, rule key, version) rows as replaced or removed by `import_id`."""
    statement = (
        update(community_rules)
        .where(
            community_rules.c.community == bindparam("c"),
            community_rules.c.rule_key == bindparam("k"),
            community_rules.c.version == bindparam("v"),
        )
        .values(retired_in=import_id)
    )
    for start in range(0, len(keys), _UPDATE_BATCH):
        chunk = keys[start : start + _UPDATE_BATCH]
        conn.execute(statement, [{"c": c, "k": k, "v": v} for c, k, v in chunk])


def insert_community_policy_versions(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Bulk-insert community policy versions."""
    return bulk_insert(conn, community_policy_versions, rows)


def stored_rule(row: Any) -> StoredCommunityRule:
    return StoredCommunityRule(
        rule=CommunityRule(
            community=row.community,
            name=row.name,
            description=row.description,
            applies_to=row.applies_to,
            reason=row.reason,
            examples=tuple(row.examples or ()),
            position=row.position,
        ),
        key=row.rule_key,
        version=row.version,
        content_hash=row.content_hash,
        imported_in=row.imported_in,
        retired_in=row.retired_in,
    )


def iter_community_rules(
    store: Store,
    *,
    at_import: int | None = None,
    community: str | None = None,
    batch: int = 10_000,
) -> Iterator[StoredCommunityRule]:
    """Stored community rules live at an import (None: the current ones), by community.

    A rule version is live at import `k` when it was imported in or before `k` and not
    retired by `k`. Rows are streamed in batches, so memory does not grow with the corpus.
    """
    rules = community_rules.c
    query = select(community_rules).order_by(rules.community, rules.position, rules.rule_key)
    if at_import is None:
        query = query.where(rules.retired_in.is_(None))
    else:
        query = query.where(
            rules.imported_in <= at_import,
            (rules.retired_in.is_(None)) | (rules.retired_in > at_import),
        )
    if community is not None:
        query = query.where(rules.community == community)
    with store.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in result:
            yield stored_rule(row)


class CommunityImportRecord(BaseModel):
    """One `policy import-community` run, as listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    """Import id (they increase with time)."""
    source: str
    """The file imported."""
    created_at: datetime
    """When (UTC)."""
    created_by: str
    """Who ran it."""
    stats: dict[str, Any]
    """Figures of the run (rules read, added, reworded, removed, unchanged, rejected…)."""


def list_community_imports(store: Store) -> list[CommunityImportRecord]:
    """Every community import, oldest first."""
    with store.connect() as conn:
        rows = conn.execute(select(community_imports).order_by(community_imports.c.id)).all()
    out: list[CommunityImportRecord] = []
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        out.append(
            CommunityImportRecord(
                id=row.id,
                source=row.source,
                created_at=created,
                created_by=row.created_by,
                stats=dict(row.stats),
            )
        )
    return out


def replace_families(
    conn: Connection, families: list[dict[str, Any]], members: list[dict[str, Any]]
) -> None:
    """Replace every stored family and membership (families are recomputed as a whole)."""
    conn.execute(delete(community_family_members))
    conn.execute(delete(community_families))
    bulk_insert(conn, community_families, families)
    for start in range(0, len(members), 50_000):
        bulk_insert(conn, community_family_members, members[start : start + 50_000])


def load_families(store: Store, *, limit: int | None = None, min_size: int = 1) -> list[Any]:
    """Stored families, largest first (rows with id, name, example, size, communities…)."""
    query = (
        select(community_families)
        .where(community_families.c.size >= min_size)
        .order_by(community_families.c.size.desc(), community_families.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    with store.connect() as conn:
        return list(conn.execute(query).all())


def load_family_members(store: Store, family_id: int) -> list[Any]:
    """Members of one family (community, rule key, name, similarity, threshold)."""
    m, r = community_family_members.c, community_rules.c
    query = (
        select(m.community, m.rule_key, r.name, m.similarity, m.threshold)
        .join(
            community_rules,
            (r.community == m.community) & (r.rule_key == m.rule_key) & r.retired_in.is_(None),
            isouter=True,
        )
        .where(m.family_id == family_id)
        .order_by(m.community, m.rule_key)
    )
    with store.connect() as conn:
        return list(conn.execute(query).all())


def family_of_rules(store: Store) -> dict[tuple[str, str], int]:
    """(community, rule key) → family id, for every rule in a family."""
    m = community_family_members.c
    with store.connect() as conn:
        rows = conn.execute(select(m.community, m.rule_key, m.family_id))
        return {(c, k): int(f) for c, k, f in rows}


def set_member_threshold(
    conn: Connection, community: str, key: str, threshold: float | None
) -> int:
    """Set one member's per-community threshold; returns the rows changed (0: not a member)."""
    m = community_family_members.c
    result = conn.execute(
        update(community_family_members)
        .where(m.community == community, m.rule_key == key)
        .values(threshold=threshold)
    )
    return int(result.rowcount or 0)
