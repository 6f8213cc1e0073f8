"""Simulated decision traffic for monitor tests (stated: every row here is simulated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from modgate.store import Store, bulk_insert, decisions, items, verdicts

AT = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass
class Traffic:
    """A simulated log: per community a daily volume and action rate; injected scenarios."""

    communities: int = 20
    per_day: int = 30
    days: int = 15
    base_rate: float = 0.1
    surge: dict[str, float] = field(default_factory=dict)
    """Community → action-rate multiplier in the last day."""
    evasion: set[str] = field(default_factory=set)
    """Communities whose last-day violating items are obfuscated."""
    canary_flip: dict[str, float] = field(default_factory=dict)
    """Community → share of the canary's verdicts flipped in the last day."""
    new_term: tuple[str, str] | None = None
    """(community, word) appearing in the last day."""
    verdict_policy: str = "harassment"
    """The policy the verdicts store (`id`, or `id@version` as an enforcer spec may name it)."""
    challenger_policy: str | None = None
    """The challenger's (default: `verdict_policy`)."""


def seed(store: Store, t: Traffic, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    item_rows, decision_rows, verdict_rows = [], [], []
    words = [f"word{i}" for i in range(60)]
    start = AT - timedelta(days=t.days)
    n = 0
    for c in range(t.communities):
        name = f"c{c}"
        for day in range(t.days):
            last = day == t.days - 1
            rate = t.base_rate * (t.surge.get(name, 1.0) if last else 1.0)
            for _ in range(t.per_day):
                n += 1
                at = start + timedelta(days=day, seconds=int(rng.integers(0, 86400)))
                bad = bool(rng.random() < rate)
                body = " ".join(rng.choice(words, 8))
                if bad:
                    body += " idiot" if not (last and name in t.evasion) else " 1d\u200bi0t"
                if last and t.new_term and t.new_term[0] == name and rng.random() < 0.5:
                    body += f" {t.new_term[1]}"
                iid = f"i{n}"
                item_rows.append(
                    {
                        "id": iid,
                        "kind": "comment",
                        "community": name,
                        "body": body,
                        "content_hash": f"{n:064d}",
                        "imported_at": at,
                        "updated_at": at,
                        "created_at": at,
                    }
                )
                action = "remove" if bad else "allow"
                decision_rows.append(
                    {
                        "decision_id": f"d{n}",
                        "item_id": iid,
                        "action": action,
                        "reasons": [],
                        "decided_at": at,
                    }
                )
                score = float(rng.beta(8, 2) if bad else rng.beta(2, 8))
                for version in (1, 2):
                    flip = last and version == 2 and rng.random() < t.canary_flip.get(name, 0.0)
                    v_bad = bad != flip
                    verdict_rows.append(
                        {
                            "item_id": iid,
                            "policy": t.verdict_policy
                            if version == 1
                            else (t.challenger_policy or t.verdict_policy),
                            "enforcer": "clf",
                            "enforcer_version": version,
                            "score": score if not flip else 1 - score,
                            "label": "violating" if v_bad else "non_violating",
                            "action": "remove" if v_bad else "allow",
                            "criteria": [],
                            "rationale": "",
                            "latency_ms": 0.0,
                            "cost": 0.0,
                            "created_at": at,
                        }
                    )
    with store.begin() as conn:
        bulk_insert(conn, items, item_rows)
        bulk_insert(conn, decisions, decision_rows)
        bulk_insert(conn, verdicts, verdict_rows)
