"""A UI world: deployments with history, decisions, eval runs, a published policy, accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modgate.enforce import EnforcerSpec, register_enforcer
from modgate.evaluate import EvalRun, FigureConfig, IntervalConfig, run_eval
from modgate.policy import example_policy_files, load_policy_file, publish_policy
from modgate.release import decide, deploy
from modgate.review import sync_from_decisions
from modgate.store import Store, save_items
from modgate.ui import create_account, grant_queue
from tests.evaluate.helpers import GOLDEN, KeywordEnforcer, examples, ref
from tests.release.deploy_helpers import World, build_world

PASSWORD = "correct horse battery staple"
FAST = FigureConfig(intervals=IntervalConfig(resamples=50), min_support=10)


@dataclass
class UiWorld:
    world: World
    runs: tuple[EvalRun, EvalRun]
    policy_id: str


def build_ui_world(store: Store, workspace: Path) -> UiWorld:
    world = build_world(store, workspace, n=80)
    # a rule set whose keyword the review page masks ("number" is in every item's text)
    spec = EnforcerSpec(
        name="slurs", kind="rules", policy="hate@1",
        params={"rules": {"name": "slurs", "policy": "hate@1", "rules": [
            {"id": "s", "action": "review", "keywords": ["number"]}]}},
    )  # fmt: skip
    register_enforcer(store, spec, workspace=workspace, actor="tester")
    ids = [i.id for i in world.items]
    # forced (no gate report): a bare report row would stand for an eval run the pages list
    deploy(store, world.lenient.ref, "active", actor="tester", force=True, reason="seed")
    decide(store, ids[:40], workspace=workspace, actor="tester")
    deploy(store, world.strict.ref, "active", actor="tester", force=True, reason="seed")
    decide(store, ids[40:], workspace=workspace, actor="tester")
    sync_from_decisions(store)
    items = examples()
    save_items(store, [e.item for e in items], actor="tester")
    a, b = KeywordEnforcer("kw_a"), KeywordEnforcer("kw_b", news_bias=0.6)
    run_a = run_eval(
        store,
        enforcer=ref(a),
        golden=GOLDEN,
        examples=items,
        actor="tester",
        predictor=a,
        config=FAST,
    )
    run_b = run_eval(
        store,
        enforcer=ref(b, "f" * 64),
        golden=GOLDEN,
        examples=items,
        actor="tester",
        predictor=b,
        config=FAST,
    )
    published = publish_policy(store, load_policy_file(example_policy_files()[1]), actor="tester")
    for name, role in (
        ("admin", "admin"),
        ("ana", "analyst"),
        ("rita", "reviewer"),
        ("rob", "reviewer"),
        ("vic", "viewer"),
    ):
        create_account(store, name, PASSWORD, role, actor="tester")
    grant_queue(store, "rita", "hate", actor="tester")
    grant_queue(store, "rob", "hate", actor="tester")
    grant_queue(store, "ana", "hate", actor="tester")
    return UiWorld(world, (run_a, run_b), published.policy_ref.split("@")[0])
