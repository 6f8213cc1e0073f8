"""Persistence of published policy versions: the only module of `policy` that touches tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from modgate.errors import ConflictError, NotFoundError
from modgate.policy._schema import Policy
from modgate.store import Store, policy_versions


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
