"""Demo step: run the HTTP service in the background, send traffic, roll back while it runs.

Starts `modgate serve`'s app on a free loopback port, sends the demo items under active +
shadow, then with a canary, rolls the canary back while the service keeps answering and
shows the switch taking effect, and stops the service cleanly.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from typing import Any

from modgate.cli.demo._enforce import SPEC_NAME as CHALLENGER
from modgate.cli.demo._run import DemoRun, load_sample_items
from modgate.enforce import get_enforcer_version
from modgate.release import deploy, rollback

CANARY_SHARE = 0.3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _arms(client: Any, items: list[Any], tag: str) -> tuple[Counter[str], Counter[str]]:
    arms: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    for start in range(0, len(items), 50):
        batch = [
            {"id": f"{i.id}", "body": i.body, "community": i.community,
             "decision_id": f"demo-serve-{tag}-{i.id}"}
            for i in items[start : start + 50]
        ]  # fmt: skip
        reply = client.post("/v1/moderate", json={"items": batch})
        reply.raise_for_status()
        for decision in reply.json()["decisions"]:
            actions[decision["action"]] += 1
            for arm in decision["deployments"]:
                arms[f"{arm['arm']} {arm['enforcer']}"] += 1
    return arms, actions


def step_serve(run: DemoRun) -> None:
    """Serve in the background, send traffic under shadow and canary, roll back live, stop."""
    import httpx
    import uvicorn

    from modgate.serve import ServeSettings, create_api_key, create_app

    store, actor = run.store, run.settings.actor
    key = create_api_key(store, "demo", ["moderate", "read"], actor=actor).key
    port = _free_port()
    settings = ServeSettings(
        database_url=store.url, workspace=run.workspace, port=port, refresh_seconds=0.25
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store=store), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="modgate-demo-serve", daemon=True)
    thread.start()
    items = load_sample_items(run.sample_path)[:200]
    headers = {"Authorization": f"Bearer {key}"}
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            deadline = time.monotonic() + 15
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the demo service did not become ready in 15 s")
                time.sleep(0.1)
            run.out.print(f"[bold]serve[/bold]: listening on {base} (OpenAPI at /openapi.json)")
            policies = client.get("/v1/policies").json()["policies"]
            for p in policies:
                run.out.print(
                    f"  {p['policy']}: active {p['active']}, shadow {', '.join(p['shadow']) or '-'}"
                )
            arms, actions = _arms(client, items, "shadow")
            run.out.print(
                f"[bold]serve[/bold]: {sum(actions.values())} items → {dict(actions)}; "
                f"arms {dict(arms)} (the shadow judges off the request path, never acts)",
                highlight=False,
            )
            challenger = get_enforcer_version(store, CHALLENGER)
            canary = deploy(
                store, challenger.ref, "canary", actor=actor, share=CANARY_SHARE, force=True,
                reason="demo: live canary on the service",
            ).deployment  # fmt: skip
            _wait_for(client, canary.id)
            arms, _ = _arms(client, items, "canary")
            run.out.print(
                f"[bold]serve[/bold]: canary {challenger.ref} at {CANARY_SHARE:.0%} picked up "
                f"live ({canary.id}): arms {dict(arms)}",
                highlight=False,
            )
            back = rollback(store, canary.policy, actor=actor, reason="demo: roll back live")
            started = time.monotonic()
            _wait_for(client, back.id)
            arms, _ = _arms(client, items, "rolled-back")
            run.out.print(
                f"[bold]serve[/bold]: rollback {back.id} took effect in "
                f"{time.monotonic() - started:.1f} s without a restart: arms {dict(arms)}",
                highlight=False,
            )
            metrics = client.get("/metrics").text
            shadow = [ln for ln in metrics.splitlines() if ln.startswith("modgate_shadow_items")]
            if shadow:
                run.out.print(f"  shadow items judged: {shadow[0].split()[-1]}")
    finally:
        server.should_exit = True
        thread.join(15)
    run.out.print("[bold]serve[/bold]: stopped cleanly (queued decisions committed first)")
    run.notes.append("modgate keys create ingest --scope moderate && modgate serve --port 8000")


def _wait_for(client: Any, deployment_id: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ids = [p["deployment_id"] for p in client.get("/v1/policies").json()["policies"]]
        if deployment_id in ids:
            return
        time.sleep(0.05)
    raise RuntimeError(f"the service did not pick up {deployment_id} within 5 s")


__all__ = ["step_serve"]
