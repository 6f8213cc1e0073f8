"""A small world for the review tests: a published policy, items, verdicts and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from modgate.domain import Action, Decision, Item, ReasonCode
from modgate.enforce import EnforcerSpec, register_enforcer
from modgate.enforce._repo import write_decisions
from modgate.policy import example_policy_files, load_policy_file, publish_policy
from modgate.store import Store, save_items, verdicts

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = "hate_speech@1"
ENFORCER = "judge@1"


@dataclass
class World:
    store: Store
    items: list[Item]
    decisions: list[Decision]

    def decision(self, kind: str) -> Decision:
        return next(d for d in self.decisions if d.decision_id.startswith(kind))


def _verdict_row(item_id: str, score: float, action: str, error: str | None = None) -> dict:
    return {
        "item_id": item_id,
        "policy": POLICY,
        "enforcer": "judge",
        "enforcer_version": 1,
        "score": score,
        "label": "violating" if score >= 0.5 else "non_violating",
        "action": action,
        "criteria": ["HATE1"] if score >= 0.5 else [],
        "rationale": f"score {score}",
        "latency_ms": 1.0,
        "cost": 0.0,
        "error": error,
        "created_at": T0,
    }


def build_world(store: Store, tmp_path: Path, n: int = 12) -> World:
    hate = next(p for p in example_policy_files() if p.stem == "hate_speech")
    publish_policy(store, load_policy_file(hate), actor="tester")
    spec = EnforcerSpec(
        name="slurs",
        kind="rules",
        policy=POLICY,
        params={
            "rules": {
                "name": "slurs",
                "policy": POLICY,
                "rules": [
                    {"id": "s", "criterion": "HATE1", "action": "review",
                     "keywords": ["vermin", "kill yourself"]},
                    {"id": "r", "criterion": "HATE1", "action": "remove",
                     "regex": ["\\bsubhuman\\w*"]},
                ],
            }
        },
    )  # fmt: skip
    register_enforcer(store, spec, workspace=tmp_path, actor="tester")
    kinds = ["uncertain", "error", "remove", "allow", "shadow"]
    items = [
        Item(
            id=f"i{i:03d}",
            body=f"item {i}: they are Vermin and subhumans, kill  yourself",
            community=("cats", "dogs")[i % 2],
            parent_id="p0" if i == 0 else None,
        )
        for i in range(n)
    ]
    items.append(Item(id="p0", body="the parent post"))
    save_items(store, items, actor="tester")
    rows, decisions = [], []
    for i, item in enumerate(items[:n]):
        kind = kinds[i % len(kinds)]
        score = {"uncertain": 0.6, "error": 1.0, "remove": 0.95, "allow": 0.1, "shadow": 0.2}[kind]
        action = {"uncertain": "review", "error": "review", "remove": "remove"}.get(kind, "allow")
        error = "timeout" if kind == "error" else None
        rows.append(_verdict_row(item.id, score, action, error))
        shadow = ()
        if kind == "shadow":
            shadow = (ReasonCode(policy=POLICY, enforcer="strict@1", action=Action.REMOVE),)
        decisions.append(
            Decision(
                decision_id=f"{kind}-{i:03d}",
                item_id=item.id,
                action=Action(action),
                reasons=(
                    ReasonCode(
                        policy=POLICY,
                        enforcer=ENFORCER,
                        action=Action(action),
                        error=error,
                        criteria=("HATE1",) if score >= 0.5 else (),
                    ),
                ),  # fmt: skip
                decided_at=T0 + timedelta(minutes=i),
                shadow=shadow,
            )
        )
    with store.begin() as conn:
        conn.execute(insert(verdicts), rows)
        write_decisions(conn, decisions)
    return World(store, items, decisions)


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)
