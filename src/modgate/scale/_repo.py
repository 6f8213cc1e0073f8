"""scale's reads of the store: the backfill window's items and per-community action counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, true

from modgate.store import Store, batched, items, verdicts


def _window(
    since: datetime | None, until: datetime | None, communities: Sequence[str] | None
) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if since is not None:
        clauses.append(items.c.created_at >= since)
    if until is not None:
        clauses.append(items.c.created_at < until)
    if communities:
        clauses.append(items.c.community.in_(list(communities)))
    return and_(true(), *clauses)


def window_item_ids(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    communities: Sequence[str] | None = None,
) -> list[str]:
    """Ids of the items created in [since, until) in these communities (all: None), sorted."""
    query = select(items.c.id).where(_window(since, until, communities)).order_by(items.c.id)
    with store.connect() as conn:
        return list(conn.execute(query).scalars())


def action_counts(
    store: Store,
    enforcer: str,
    version: int,
    item_ids: Sequence[str],
) -> dict[tuple[str, str, str], int]:
    """Verdict counts of one enforcer version over these items by (community, policy, action).

    Items without a community count under `""`.
    """
    counts: dict[tuple[str, str, str], int] = {}
    base = (
        select(items.c.community, verdicts.c.policy, verdicts.c.action, func.count())
        .join(items, items.c.id == verdicts.c.item_id)
        .where(and_(verdicts.c.enforcer == enforcer, verdicts.c.enforcer_version == version))
        .group_by(items.c.community, verdicts.c.policy, verdicts.c.action)
    )
    with store.connect() as conn:
        for chunk in batched(item_ids):
            for community, policy, action, n in conn.execute(
                base.where(verdicts.c.item_id.in_(chunk))
            ):
                key = (community or "", policy, action)
                counts[key] = counts.get(key, 0) + int(n)
    return counts


__all__ = ["action_counts", "window_item_ids"]
