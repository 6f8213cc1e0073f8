"""Catching up decision features for decisions made before they were recorded at decide time.

`decide_with_deployments` writes each decision's features (`decision_features`) with it; this
fills them in for decisions stored otherwise (imported logs, decisions from before migration
0027), normalizing each text once, so monitors never re-tokenize the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from modgate.release import evasion_features, write_decision_features
from modgate.store import Store, decision_features, decisions, items


def record_decision_features(
    store: Store, *, since: datetime | None = None, batch_size: int = 5000
) -> int:
    """Compute and store the evasion features of decisions that have none yet.

    The decide path records them already; this catches up decisions written another way.

    Returns:
        Decisions newly featured.
    """
    d, i, f = decisions, items, decision_features
    stmt = (
        select(
            d.c.decision_id,
            d.c.item_id,
            d.c.decided_at,
            d.c.action,
            i.c.community,
            i.c.title,
            i.c.body,
        )
        .select_from(
            d.join(i, i.c.id == d.c.item_id).outerjoin(f, f.c.decision_id == d.c.decision_id)
        )
        .where(f.c.decision_id.is_(None))
        .order_by(d.c.id)
    )
    if since is not None:
        stmt = stmt.where(d.c.decided_at >= since)
    written = 0
    with store.connect() as conn:
        rows = list(conn.execute(stmt))
    for start in range(0, len(rows), batch_size):
        batch = []
        for r in rows[start : start + batch_size]:
            text = " ".join(x for x in (r.title, r.body) if x)
            feats = evasion_features(text, r.action)
            batch.append(
                {
                    "decision_id": r.decision_id,
                    "item_id": r.item_id,
                    "community": r.community,
                    "decided_at": r.decided_at,
                    "evasion_signals": feats.evasion_signals,
                    "normalization_changed": feats.normalization_changed,
                    "caught_after_normalization": feats.caught_after_normalization,
                }
            )
        with store.begin() as conn:
            written += write_decision_features(conn, batch)
    return written
