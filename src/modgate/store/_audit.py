"""Audit events: every state change records who, what, when and details."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, insert, select

from modgate.store._engine import Store
from modgate.store._tables import audit_events


class AuditEvent(BaseModel):
    """One recorded state change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    """Sequence number."""
    at: datetime
    """When it happened (UTC)."""
    actor: str
    """Who did it (MODGATE_USER or the OS user)."""
    action: str
    """What happened, e.g. `items.import` or `enforcer.register`."""
    object_type: str
    """Kind of object changed."""
    object_id: str
    """Id of the object changed."""
    details: dict[str, Any]
    """Details of the change."""


def record_audit_event(
    conn: Connection,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Write an audit event in the caller's transaction, so it commits with the change.

    Args:
        conn: Connection inside the transaction making the change.
        actor: Who acts.
        action: What happens (`noun.verb`).
        object_type: Kind of object changed.
        object_id: Id of the object changed.
        details: JSON-serialisable details.
        at: Time of the event (default: now, UTC).
    """
    conn.execute(
        insert(audit_events).values(
            at=at or datetime.now(UTC),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details or {},
        )
    )


def list_audit_events(
    store: Store,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """List audit events, newest first, optionally filtered."""
    query = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
    if action:
        query = query.where(audit_events.c.action.like(action.replace("*", "%")))
    if object_type:
        query = query.where(audit_events.c.object_type == object_type)
    if object_id:
        query = query.where(audit_events.c.object_id == object_id)
    if actor:
        query = query.where(audit_events.c.actor == actor)
    if since:
        query = query.where(audit_events.c.at >= since)
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        AuditEvent(
            id=row["id"],
            at=_aware(row["at"]),
            actor=row["actor"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            details=row["details"] or {},
        )
        for row in rows
    ]


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
