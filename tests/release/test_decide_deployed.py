from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from modgate.domain import Action, Item, Verdict
from modgate.enforce import list_decisions, list_verdicts
from modgate.errors import DeploymentError
from modgate.release import (
    EnforcerPool,
    decide,
    decide_with_deployments,
    deploy,
    load_deployment_snapshot,
    routes_to_canary,
)
from modgate.store import Store, decisions, list_audit_events

from .deploy_helpers import World, add_report, build_world


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    w = build_world(store, tmp_path, n=60)
    for version in (w.lenient, w.strict, w.harsh):
        add_report(store, version, w.golden)
    return w


def _set(world: World, ref: str, stage: str, share: float | None = None):  # type: ignore[no-untyped-def]
    return deploy(world.store, ref, stage, actor="t", gate_path=world.gate, share=share).deployment


def _decide(world: World, **kw):  # type: ignore[no-untyped-def]
    ids = [i.id for i in world.items]
    return decide(world.store, ids, workspace=world.workspace, actor="t", **kw)


def _by_item(store: Store, deployment_id: str) -> dict[str, Action]:
    return {
        d.item_id: d.action
        for d in list_decisions(store)
        if d.deployments and d.deployments[0].deployment_id == deployment_id
    }


def _expected(store: Store, name: str) -> dict[str, Action]:
    return {v.item_id: v.action for v in list_verdicts(store, enforcer=name)}


def test_nothing_deployed_is_an_error(world: World) -> None:
    with pytest.raises(DeploymentError, match="nothing is deployed"):
        _decide(world)


def test_decisions_name_their_deployment_and_follow_the_active(world: World) -> None:
    dep = _set(world, world.lenient.ref, "active")
    result = _decide(world, batch_size=7)
    assert result.decided == 60 and result.already_decided == 0
    assert result.deployments == (dep.id,)
    stored = list_decisions(world.store)
    assert len(stored) == 60
    want = _expected(world.store, "lenient")
    for decision in stored:
        (arm,) = decision.deployments
        assert arm.deployment_id == dep.id and arm.arm == "active"
        assert arm.enforcer == "lenient@1" and arm.policy == "hate"
        assert decision.action is want[decision.item_id]
        assert decision.shadow == ()
    assert sum(result.actions.values()) == 60
    assert list_audit_events(world.store, action="decide.run")[0].details["decided"] == 60


def test_a_shadow_enforcer_never_changes_an_action(world: World) -> None:
    before = _set(world, world.lenient.ref, "active")
    _decide(world)
    after = _set(world, world.harsh.ref, "shadow")  # it would remove everything
    result = _decide(world)
    assert result.decided == 60  # a new deployment: new decisions
    assert _by_item(world.store, after.id) == _by_item(world.store, before.id)
    for decision in list_decisions(world.store):
        if decision.deployments[0].deployment_id == after.id:
            assert decision.deployments[0].shadow == ("harsh@1",)
            assert [(r.enforcer, r.action) for r in decision.shadow] == [("harsh@1", Action.REMOVE)]
    removed = sum(1 for a in _by_item(world.store, after.id).values() if a is Action.REMOVE)
    assert result.shadow_disagreements == 60 - removed


def test_canary_acts_exactly_on_its_stable_share(world: World) -> None:
    _set(world, world.lenient.ref, "active")
    dep = _set(world, world.harsh.ref, "canary", share=0.3)
    assert dep.state.canary is not None
    salt = dep.state.canary.salt
    result = _decide(world)
    lenient = _expected(world.store, "lenient")
    n_canary = 0
    for decision in list_decisions(world.store):
        (arm,) = decision.deployments
        on_canary = routes_to_canary(decision.item_id, salt, 0.3)
        assert arm.arm == ("canary" if on_canary else "active")
        if on_canary:
            n_canary += 1
            assert arm.enforcer == "harsh@1" and decision.action is Action.REMOVE
        else:
            assert decision.action is lenient[decision.item_id]
    assert result.arms == {"hate:active": 60 - n_canary, "hate:canary": n_canary}
    assert 0 < n_canary < 60
    # harsh judged only the canary share: no verdicts wasted on items it does not act on
    assert len(list_verdicts(world.store, enforcer="harsh")) == n_canary


class _CrashAfter:
    def __init__(self, inner, n: int) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.left = inner, n

    @property
    def spec(self):  # type: ignore[no-untyped-def]
        return self.inner.spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        if self.left == 0:
            raise KeyboardInterrupt("crash")
        self.left -= 1
        return self.inner.predict(items)  # type: ignore[no-any-return]


class _CrashingPool(EnforcerPool):
    def get(self, ref):  # type: ignore[no-untyped-def]
        version, enforcer = super().get(ref)
        if not isinstance(enforcer, _CrashAfter):
            enforcer = _CrashAfter(enforcer, 2)
            self._loaded[ref] = (version, enforcer)
        return version, enforcer


def test_decide_is_resumable_and_idempotent(world: World) -> None:
    _set(world, world.lenient.ref, "active")
    pool = _CrashingPool(world.store, world.workspace)
    with pytest.raises(KeyboardInterrupt):
        _decide(world, batch_size=10, enforcers=pool)
    with world.store.connect() as conn:
        partial = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
    assert partial == 20
    resumed = _decide(world, batch_size=10)
    assert resumed.already_decided == 20 and resumed.decided == 40
    again = _decide(world, batch_size=10)
    assert again.already_decided == 60 and again.decided == 0
    with world.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 60


def test_service_path_is_idempotent_on_a_given_decision_id(world: World) -> None:
    _set(world, world.strict.ref, "active")
    snapshot = load_deployment_snapshot(world.store)
    pool = EnforcerPool(world.store, world.workspace)
    item = world.items[5]
    first = decide_with_deployments(
        world.store, snapshot, [item], enforcers=pool, decision_ids={item.id: "msg-1"}
    )
    redelivered = decide_with_deployments(
        world.store, snapshot, [item], enforcers=pool, decision_ids={item.id: "msg-1"}
    )
    assert first[0].action is redelivered[0].action
    stored = list_decisions(world.store, decision_ids=["msg-1"])
    assert len(stored) == 1 and stored[0].deployments == first[0].deployments


def test_callers_without_a_deployment_keep_the_old_decisions(world: World) -> None:
    from modgate.enforce import ApplicablePolicy, decide_items

    _set(world, world.lenient.ref, "active")
    _decide(world)
    legacy = decide_items(
        world.store, [world.items[0].id], [world.lenient], [ApplicablePolicy(policy="hate@1")]
    )
    assert legacy[0].deployments == () and legacy[0].shadow == ()
    with world.store.connect() as conn:
        nulls = conn.execute(
            select(func.count()).select_from(decisions).where(decisions.c.deployments.is_(None))
        ).scalar_one()
    assert nulls == 1  # SQL NULL on both backends, so `WHERE deployments IS NULL` finds them
    (stored,) = list_decisions(world.store, decision_ids=[legacy[0].decision_id])
    assert stored.action is legacy[0].action and stored.deployments == ()


def test_every_decision_gets_its_monitor_features_at_decide_time(world: World) -> None:
    from modgate.release import evasion_features, item_text
    from modgate.store import decision_features

    _set(world, world.lenient.ref, "active")
    result = _decide(world, batch_size=25)
    # the service / worker path too, with an obfuscated text in a named community
    sneaky = world.items[0].model_copy(
        update={"id": "sneaky", "body": "you 1d\u200bi0t", "community": "r/small"}
    )
    snapshot = load_deployment_snapshot(world.store)
    pool = EnforcerPool(world.store, world.workspace)
    [made] = decide_with_deployments(world.store, snapshot, [sneaky], enforcers=pool)
    with world.store.connect() as conn:
        rows = {r.decision_id: r for r in conn.execute(select(decision_features))}
    stored = list_decisions(world.store)
    assert len(rows) == len(stored) == result.decided + 1
    texts = {i.id: i for i in [*world.items, sneaky]}
    for d in stored:
        row = rows[d.decision_id]
        want = evasion_features(item_text(texts[d.item_id]), d.action)
        assert row.item_id == d.item_id and row.community == texts[d.item_id].community
        assert row.evasion_signals == want.evasion_signals
        assert row.normalization_changed == want.normalization_changed
        assert row.caught_after_normalization == want.caught_after_normalization
    assert rows[made.decision_id].normalization_changed
    assert rows[made.decision_id].community == "r/small"


def test_a_decide_call_writes_everything_in_one_transaction(world: World) -> None:
    from sqlalchemy import event

    from modgate.store import decision_arms, decision_features, verdicts

    _set(world, world.strict.ref, "active")
    _set(world, world.lenient.ref, "shadow")
    snapshot = load_deployment_snapshot(world.store)
    pool = EnforcerPool(world.store, world.workspace)
    pool.get(world.strict.ref), pool.get(world.lenient.ref)  # loading reads the catalog
    commits: list[object] = []

    def on_commit(conn: object) -> None:
        commits.append(conn)

    event.listen(world.store.engine, "commit", on_commit)
    try:
        made = decide_with_deployments(world.store, snapshot, world.items[:7], enforcers=pool)
    finally:
        event.remove(world.store.engine, "commit", on_commit)
    assert len(commits) == 1  # verdicts of both enforcers, decisions, arms, features: together
    ids = [d.decision_id for d in made]
    with world.store.connect() as conn:
        counted = {
            table.name: conn.execute(
                select(func.count()).select_from(table).where(table.c.decision_id.in_(ids))
            ).scalar_one()
            for table in (decisions, decision_arms, decision_features)
        }
        judged = conn.execute(
            select(func.count())
            .select_from(verdicts)
            .where(verdicts.c.item_id.in_([i.id for i in world.items[:7]]))
        ).scalar_one()
    assert counted == {"decisions": 7, "decision_arms": 7, "decision_features": 7}
    assert judged == 14  # the active and the shadow verdict of each item


def test_a_failing_write_leaves_no_verdict_or_decision_behind(world: World) -> None:
    from unittest.mock import patch

    from modgate.store import verdicts

    _set(world, world.strict.ref, "active")
    snapshot = load_deployment_snapshot(world.store)
    pool = EnforcerPool(world.store, world.workspace)
    with (
        patch("modgate.release._decide.write_decision_features", side_effect=RuntimeError("x")),
        pytest.raises(RuntimeError),
    ):
        decide_with_deployments(world.store, snapshot, world.items[:3], enforcers=pool)
    wanted = [i.id for i in world.items[:3]]
    with world.store.connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(verdicts).where(verdicts.c.item_id.in_(wanted))
        ).scalar_one()
        decided = conn.execute(
            select(func.count()).select_from(decisions).where(decisions.c.item_id.in_(wanted))
        ).scalar_one()
    assert (left, decided) == (0, 0)
