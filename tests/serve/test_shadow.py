from __future__ import annotations

import time

from fastapi.testclient import TestClient

from modgate.serve import ModerationService, create_app
from modgate.store import Store

from .conftest import bearer, deploy_ref, serve_settings


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name} in metrics")


def test_a_slow_shadow_never_slows_the_live_path_and_drops_are_counted(  # type: ignore[no-untyped-def]
    world, monkeypatch
) -> None:
    deploy_ref(world, world.lenient.ref, "active")
    deploy_ref(world, world.strict.ref, "shadow")
    original = ModerationService._judge_shadow

    def slow(self: ModerationService, items) -> None:  # type: ignore[no-untyped-def]
        time.sleep(2.0)  # a deliberately slow shadow enforcer
        original(self, items)

    monkeypatch.setattr(ModerationService, "_judge_shadow", slow)
    settings = serve_settings(world, shadow_queue_size=2)
    with TestClient(create_app(settings, store=world.store)) as client:
        headers = bearer(world.store, "moderate")
        took = []
        for item in world.items[:20]:
            start = time.perf_counter()
            reply = client.post(
                "/v1/moderate", json={"item": {"id": item.id, "body": item.body}},
                headers=headers,
            )  # fmt: skip
            took.append(time.perf_counter() - start)
            assert reply.status_code == 200
            assert reply.json()["decisions"][0]["deployments"][0]["enforcer"] == world.lenient.ref
        # 20 requests would take ≥ 40 s if they waited for the shadow
        assert sum(took) < 15.0, took
        metrics = client.get("/metrics").text
        dropped = _sample(metrics, "modgate_shadow_dropped_total")
        done = _sample(metrics, "modgate_shadow_items_total")
        assert dropped >= 10
        assert dropped + done <= 20
    # the shadow still judged what it was given: its verdicts are stored
    assert _stored_verdicts(world.store, "strict") >= 1


def _stored_verdicts(store: Store, name: str) -> int:
    from modgate.enforce import list_verdicts

    return len(list_verdicts(store, enforcer=name))
