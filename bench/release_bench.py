"""Deployments: decision throughput under deployments, snapshot refresh cost, canary routing.

Baselines, measured in the same run on the same SQLite store and items:
- `enforce.decide_items` with the same active enforcer version chosen directly (no deployment,
  no canary, no shadow) is the baseline of `release.decide` with active + 20 % canary + one
  shadow (all verdicts already stored in both, so the figure is the orchestration's cost);
- a full `load_deployment_snapshot` is the baseline of `refresh_snapshot` when nothing changed
  (what a service pays per request or batch to stay current);
- a bare `hashlib.sha256` of each id is the baseline of canary routing (salted sha256 → bucket).
Run: `.venv/bin/python bench/release_bench.py`.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

from modgate.domain import Item
from modgate.enforce import (
    ApplicablePolicy,
    EnforcerSpec,
    EnforcerThresholds,
    decide_items,
    load_enforcer,
    register_enforcer,
    score_items,
)
from modgate.release import (
    EnforcerPool,
    decide,
    deploy,
    load_deployment_snapshot,
    refresh_snapshot,
    routes_to_canary,
)
from modgate.store import init_workspace, open_store, save_items

N = 5000


def _register(store, workspace: Path, name: str, seed: int):  # type: ignore[no-untyped-def]
    path = workspace / f"{name}.csv"
    path.write_text(
        "item_id,score\n" + "".join(f"i{n:06d},{((n * seed) % 997) / 997:.4f}\n" for n in range(N))
    )
    spec = EnforcerSpec(name=name, kind="recorded", policy="hate@1", params={"path": path.name},
                        thresholds=EnforcerThresholds(remove=0.8, review=0.5))  # fmt: skip
    return register_enforcer(store, spec, workspace=workspace, actor="bench").version


def main() -> None:
    workspace = Path(tempfile.mkdtemp(prefix="modgate-release-bench-"))
    settings = init_workspace(workspace)
    store = open_store(settings)
    items = [Item(id=f"i{n:06d}", body=f"text {n}") for n in range(N)]
    save_items(store, items, actor="bench")
    ids = [i.id for i in items]
    versions = [_register(store, workspace, name, seed) for name, seed in
                (("a", 7), ("b", 13), ("c", 31))]  # fmt: skip
    for version in versions:  # every verdict stored up front: both sides only decide
        _, enforcer = load_enforcer(store, version.ref, workspace=workspace)
        score_items(store, version, enforcer, ids, actor="bench")

    started = time.perf_counter()
    decide_items(store, ids, [versions[0]], [ApplicablePolicy(policy="hate@1")], batch_size=500)
    base_s = time.perf_counter() - started

    why = "bench"
    deploy(store, versions[0].ref, "active", actor="bench", force=True, reason=why)
    deploy(store, versions[1].ref, "shadow", actor="bench", force=True, reason=why)
    deploy(store, versions[2].ref, "canary", share=0.2, actor="bench", force=True, reason=why)
    pool = EnforcerPool(store, workspace)
    started = time.perf_counter()
    result = decide(store, ids, workspace=workspace, actor="bench", enforcers=pool)
    deployed_s = time.perf_counter() - started
    assert result.decided == N
    print(
        f"decide {N} items: under deployments (active + 20% canary + shadow) "
        f"{N / deployed_s:,.0f} items/s; baseline decide_items (active only, no deployment) "
        f"{N / base_s:,.0f} items/s; ratio {deployed_s / base_s:.2f}x the baseline's time"
    )
    started = time.perf_counter()
    again = decide(store, ids, workspace=workspace, actor="bench", enforcers=pool)
    resume_s = time.perf_counter() - started
    assert again.decided == 0
    print(
        f"re-run (all already decided, skipped): {N / resume_s:,.0f} items/s; "
        f"ratio {resume_s / base_s:.2f}x the baseline decide_items' time"
    )

    snapshot = load_deployment_snapshot(store)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        load_deployment_snapshot(store)
    load_ms = (time.perf_counter() - started) * 1000 / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        assert refresh_snapshot(store, snapshot) is snapshot
    refresh_ms = (time.perf_counter() - started) * 1000 / rounds
    print(
        f"refresh_snapshot (unchanged) {refresh_ms:.2f} ms; baseline full load "
        f"{load_ms:.2f} ms; ratio {refresh_ms / load_ms:.2f}"
    )

    route_ids = [f"t3_{n:x}" for n in range(100_000)]
    started = time.perf_counter()
    routed = sum(routes_to_canary(i, "dep-hate-3", 0.2) for i in route_ids)
    route_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in route_ids:
        hashlib.sha256(i.encode()).digest()
    hash_s = time.perf_counter() - started
    print(
        f"canary routing: {len(route_ids) / route_s:,.0f} ids/s; baseline bare sha256 of each "
        f"id {len(route_ids) / hash_s:,.0f} ids/s; ratio {route_s / hash_s:.2f}x its time; "
        f"share 0.2 observed {routed / len(route_ids):.4f}"
    )
    store.close()


if __name__ == "__main__":
    main()
