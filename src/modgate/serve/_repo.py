"""Persistence of API keys: the only module of `serve` that touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from modgate.errors import NotFoundError, ValidationError
from modgate.serve._keys import SCOPES, hash_secret, new_key, new_salt
from modgate.store import Store, api_keys, record_audit_event


class ApiKeyRecord(BaseModel):
    """A stored API key (never its secret)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Key id (the middle part of `mgk_<id>_<secret>`)."""
    name: str
    """What the key is for."""
    scopes: tuple[str, ...]
    """Granted scopes."""
    created_at: datetime
    """When it was created (UTC)."""
    created_by: str
    """Who created it."""
    revoked_at: datetime | None = None
    """When it was revoked, if it was."""


class CreatedKey(BaseModel):
    """A new key: its record and the full key, shown this once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: ApiKeyRecord
    """The stored record."""
    key: str
    """The full key to give to the client; it cannot be recovered later."""


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _record(row: Any) -> ApiKeyRecord:
    created = _aware(row.created_at)
    assert created is not None
    return ApiKeyRecord(
        id=row.id,
        name=row.name,
        scopes=tuple(row.scopes),
        created_at=created,
        created_by=row.created_by,
        revoked_at=_aware(row.revoked_at),
    )


def create_api_key(
    store: Store, name: str, scopes: Sequence[str], *, actor: str, now: datetime | None = None
) -> CreatedKey:
    """Create an API key with these scopes; only its scrypt hash is stored.

    Args:
        store: The store.
        name: What the key is for (shown by `keys list`).
        scopes: Some of `moderate`, `read`, `review`, `admin`.
        actor: Who creates it (audited).
        now: Creation time (default: now).

    Returns:
        The record and the full key (shown once).

    Raises:
        ValidationError: An unknown scope, no scope or an empty name.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            f"unknown scope {', '.join(unknown)}: expected some of {', '.join(SCOPES)}"
        )
    if not scopes:
        raise ValidationError(f"a key needs at least one scope ({', '.join(SCOPES)})")
    if not name.strip():
        raise ValidationError("a key needs a name")
    key_id, key = new_key()
    salt = new_salt()
    secret = key.split("_", 2)[2]
    at = now or datetime.now(UTC)
    ordered = tuple(s for s in SCOPES if s in set(scopes))
    with store.begin() as conn:
        conn.execute(
            api_keys.insert().values(
                id=key_id, name=name, secret_hash=hash_secret(secret, salt), salt=salt,
                scopes=list(ordered), created_at=at, created_by=actor, revoked_at=None,
            )
        )  # fmt: skip
        record_audit_event(
            conn, actor=actor, action="keys.create", object_type="api_key",
            object_id=key_id,
            details={"name": name, "scopes": list(ordered)},
        )  # fmt: skip
    record = ApiKeyRecord(id=key_id, name=name, scopes=ordered, created_at=at, created_by=actor)
    return CreatedKey(record=record, key=key)


def list_api_keys(store: Store, *, include_revoked: bool = True) -> list[ApiKeyRecord]:
    """Stored keys, oldest first (secrets are never stored, so never listed)."""
    query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    with store.connect() as conn:
        return [_record(r) for r in conn.execute(query)]


def revoke_api_key(
    store: Store, key_id: str, *, actor: str, now: datetime | None = None
) -> ApiKeyRecord:
    """Revoke a key; a running service refuses it within its key cache time.

    Raises:
        NotFoundError: No key with this id.
    """
    at = now or datetime.now(UTC)
    with store.begin() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFoundError(f"no API key {key_id!r}", hint="modgate keys list")
        if row.revoked_at is None:
            conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=at))
            record_audit_event(
                conn,
                actor=actor,
                action="keys.revoke",
                object_type="api_key",
                object_id=key_id,
            )
        row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).one()
    return _record(row)


def get_key_secret(store: Store, key_id: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(salt, secret hash, scopes) of a live key, or None when unknown or revoked."""
    query = select(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
    with store.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return row.salt, row.secret_hash, tuple(row.scopes)


__all__ = [
    "ApiKeyRecord",
    "CreatedKey",
    "create_api_key",
    "get_key_secret",
    "list_api_keys",
    "revoke_api_key",
]
