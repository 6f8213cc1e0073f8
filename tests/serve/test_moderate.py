from __future__ import annotations

import time

from modgate.enforce import list_decisions, list_verdicts

from .conftest import Served, deploy_ref


def _expected(served: Served, name: str) -> dict[str, str]:
    return {v.item_id: v.action.value for v in list_verdicts(served.world.store, enforcer=name)}


def test_single_item_is_decided_by_the_active_enforcer_and_stored(served: Served) -> None:
    item = served.world.items[0]
    reply = served.client.post(
        "/v1/moderate", json={"item": {"id": item.id, "body": item.body}}, headers=served.moderate
    )
    assert reply.status_code == 200, reply.text
    [decision] = reply.json()["decisions"]
    assert decision["deployments"][0]["arm"] == "active"
    assert decision["deployments"][0]["enforcer"] == served.world.lenient.ref
    assert decision["action"] == _expected(served, "lenient")[item.id]
    assert decision["policies"] == {"hate": decision["action"]}
    stored = list_decisions(served.world.store, decision_ids=[decision["decision_id"]])
    assert [d.action.value for d in stored] == [decision["action"]]


def test_batch_follows_each_items_verdict_in_order(served: Served) -> None:
    items = served.world.items[:40]
    body = {"items": [{"id": i.id, "body": i.body, "kind": "post"} for i in items]}
    reply = served.client.post("/v1/moderate", json=body, headers=served.moderate)
    assert reply.status_code == 200, reply.text
    got = [(d["item_id"], d["action"]) for d in reply.json()["decisions"]]
    expected = _expected(served, "lenient")
    assert got == [(i.id, expected[i.id]) for i in items]
    assert len({a for _, a in got}) > 1  # the data exercises more than one action


def test_client_decision_id_is_idempotent(served: Served) -> None:
    item = served.world.items[1]
    body = {"item": {"id": item.id, "body": item.body, "decision_id": "msg-1"}}
    first = served.client.post("/v1/moderate", json=body, headers=served.moderate).json()
    second = served.client.post("/v1/moderate", json=body, headers=served.moderate).json()
    assert first["decisions"][0]["decision_id"] == "msg-1"
    assert second == first
    assert len(list_decisions(served.world.store, decision_ids=["msg-1"])) == 1
    got = served.client.get("/v1/decisions/msg-1", headers=served.read)
    assert got.status_code == 200
    assert got.json()["action"] == first["decisions"][0]["action"]


def test_unknown_decision_is_404_in_the_envelope(served: Served) -> None:
    reply = served.client.get("/v1/decisions/nope", headers=served.read)
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_policies_and_readiness(served: Served) -> None:
    reply = served.client.get("/v1/policies", headers=served.read).json()
    assert [p["active"] for p in reply["policies"]] == [served.world.lenient.ref]
    deadline = time.monotonic() + 5
    while served.client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.05)
    assert served.client.get("/healthz").json() == {"status": "ok"}


def test_deploy_and_rollback_take_effect_live_within_5_seconds(served: Served) -> None:
    from modgate.release import rollback

    world = served.world
    item = world.items[2]
    harsh = deploy_ref(world, world.harsh.ref, "active")

    def acting(headers: dict[str, str]) -> tuple[str, str]:
        reply = served.client.post(
            "/v1/moderate", json={"item": {"id": item.id, "body": item.body}}, headers=headers
        ).json()
        arm = reply["decisions"][0]["deployments"][0]
        return arm["deployment_id"], arm["enforcer"]

    start = time.monotonic()
    while acting(served.moderate) != (harsh, world.harsh.ref):
        assert time.monotonic() - start < 5, "deploy not picked up within 5 s"
        time.sleep(0.05)
    restored = rollback(world.store, "hate", actor="t", reason="test").id
    start = time.monotonic()
    while acting(served.moderate) != (restored, world.lenient.ref):
        assert time.monotonic() - start < 5, "rollback not picked up within 5 s"
        time.sleep(0.05)
    metrics = served.client.get("/metrics").text
    assert "modgate_deployment_switches_total 2.0" in metrics


def test_metrics_count_requests_and_actions(served: Served) -> None:
    items = served.world.items[:10]
    body = {"items": [{"id": i.id, "body": i.body} for i in items]}
    decisions = served.client.post("/v1/moderate", json=body, headers=served.moderate).json()
    text = served.client.get("/metrics").text
    actions = [d["action"] for d in decisions["decisions"]]
    for action in set(actions):
        line = f'modgate_policy_actions_total{{action="{action}",arm="active",policy="hate"}}'
        assert f"{line} {float(actions.count(action))}" in text
    assert 'modgate_http_requests_total{method="POST",route="/v1/moderate",status="200"} 1.0' in (
        text
    )


def test_the_loaded_service_is_frozen_out_of_the_collectors_full_passes(world) -> None:  # type: ignore[no-untyped-def]
    import gc

    from fastapi.testclient import TestClient

    from modgate.serve import create_app

    from .conftest import serve_settings

    deploy_ref(world, world.lenient.ref, "active")
    gc.unfreeze()  # whatever an earlier test froze
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(serve_settings(world), store=world.store)) as client:
        deadline = time.monotonic() + 30
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/readyz").status_code == 200
    assert gc.get_freeze_count() > 10_000  # what was alive once the enforcers were loaded
