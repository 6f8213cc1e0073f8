"""Decisions for stored items: combine the stored verdicts of chosen enforcer versions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from modgate.domain import Decision, Verdict
from modgate.enforce._decide import ApplicablePolicy, combine_verdicts
from modgate.enforce._repo import (
    EnforcerVersion,
    list_verdicts,
    write_decisions,
)
from modgate.errors import NotFoundError
from modgate.store import Store, get_items


def batch_decision_id(item_id: str, versions: Sequence[EnforcerVersion]) -> str:
    """Deterministic decision id for an item decided by a set of enforcer versions."""
    refs = ",".join(sorted(v.ref for v in versions))
    digest = hashlib.sha256(f"{item_id}\n{refs}".encode()).hexdigest()[:32]
    return f"batch:{digest}"


def decide_items(
    store: Store,
    item_ids: Sequence[str],
    versions: Sequence[EnforcerVersion],
    policies: Sequence[ApplicablePolicy] | None = None,
    *,
    batch_size: int = 1000,
) -> list[Decision]:
    """Decide items from the stored verdicts of enforcer versions, and store the decisions.

    Args:
        store: The store.
        item_ids: Items to decide.
        versions: The active enforcer version of each policy.
        policies: Applicable policies (default: each version's policy, site-wide).
        batch_size: Items per transaction.

    Returns:
        The decisions, in item order. Deciding again with the same versions gives the same
        decision ids, so no duplicate rows are stored.

    Raises:
        NotFoundError: Some items are not in the store.
    """
    if policies is None:
        policies = [ApplicablePolicy(policy=v.spec.policy) for v in versions]
    wanted = list(dict.fromkeys(item_ids))
    made: list[Decision] = []
    for start in range(0, len(wanted), batch_size):
        chunk = wanted[start : start + batch_size]
        found = get_items(store, chunk)
        missing = [i for i in chunk if i not in found]
        if missing:
            raise NotFoundError(
                f"{len(missing)} item(s) not in the store: {', '.join(missing[:20])}"
            )
        verdicts_by_item: dict[str, list[Verdict]] = {i: [] for i in chunk}
        for version in versions:
            for verdict in list_verdicts(
                store, enforcer=version.name, version=version.version, item_ids=chunk
            ):
                verdicts_by_item[verdict.item_id].append(verdict)
        now = datetime.now(UTC)
        batch = [
            combine_verdicts(
                found[i],
                verdicts_by_item[i],
                policies,
                decision_id=batch_decision_id(i, versions),
                decided_at=now,
            )
            for i in chunk
        ]
        with store.begin() as conn:
            write_decisions(conn, batch)
        made.extend(batch)
    return made


__all__ = ["batch_decision_id", "decide_items"]
