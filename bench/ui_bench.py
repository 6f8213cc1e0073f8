"""Web UI pages with 1,000,000 decisions in the store: server time of each page (target ≤ 300 ms).

SIMULATED DATA. Nothing here is real traffic: 1,000,000 decisions (and their 1,000,000 policy
arms) over 60 days with uniform timestamps, two policies (`hate`, `spam`), an active and a 10 %
canary arm, actions allow / review / remove at 85 / 10 / 5 %; 300 items routed to review; one
eval run of a keyword enforcer (`vermin` scores high) on 400 generated golden examples; two
deployments, a golden set of 200 items with two annotators each, a few alerts.

Each page is fetched through the app in-process (the real routing, sessions, CSRF, templates and
library calls); its time is the server's own (`Server-Timing`, measured around the request in
the UI app), median of `--repeat` fetches after one warm-up. Beside each figure: the same-run
baseline of a trivial page (the login form) and the ratio. SQLite only (`--decisions N` for a
smaller run).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from modgate.domain import Item, Verdict
from modgate.enforce import EnforcerSpec, EnforcerThresholds, action_for_score
from modgate.evaluate import (
    EnforcerRef,
    FigureConfig,
    GoldenExample,
    GoldenRef,
    IntervalConfig,
    run_eval,
)
from modgate.store import Store, save_items, upgrade_database

TARGET_MS = 300.0

FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""
PASSWORD = "bench password 123"
NOW = datetime.now(UTC).replace(microsecond=0)


class _Keyword:
    """SIMULATED enforcer: `vermin` scores high."""

    def __init__(self) -> None:
        self.spec = EnforcerSpec(name="kw", kind="rules", policy="hate@1",
                                 thresholds=EnforcerThresholds(remove=0.8, review=0.5),
                                 version=1)  # fmt: skip

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        out = []
        for item in items:
            d = int(hashlib.sha256(item.id.encode()).hexdigest()[:4], 16) / 65535
            score = 0.5 + 0.45 * d if "vermin" in item.body else 0.45 * d
            out.append(Verdict(item_id=item.id, policy="hate@1", enforcer=self.spec.ref,
                               score=score, label="violating" if score >= 0.5 else "non_violating",
                               action=action_for_score(score, self.spec.thresholds, None),
                               criteria=(), latency_ms=1.0, cost=0.0))  # fmt: skip
        return out


def load_decisions(path: Path, n: int, seed: int = 0) -> float:
    """Bulk-load n decisions and their arms with sqlite3 executemany (seconds taken)."""
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    start = NOW - timedelta(days=60)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    batch = 200_000
    for lo in range(0, n, batch):
        m = min(batch, n - lo)
        secs = np.sort(rng.integers(0, 60 * 86400, m))
        u = rng.random(m)
        actions = np.where(u < 0.05, "remove", np.where(u < 0.15, "review", "allow"))
        policies = np.where(rng.random(m) < 0.6, "hate", "spam")
        arms = np.where(rng.random(m) < 0.1, "canary", "active")
        stamps = [(start + timedelta(seconds=int(s))).strftime("%Y-%m-%d %H:%M:%S.000000")
                  for s in secs]  # fmt: skip
        ids = range(lo, lo + m)
        con.executemany(
            "INSERT INTO decisions (decision_id, item_id, action, reasons, decided_at) "
            "VALUES (?, ?, ?, '[]', ?)",
            ((f"d{k}", f"i{k}", a, t) for k, a, t in zip(ids, actions, stamps, strict=True)),
        )
        con.executemany(
            "INSERT INTO decision_arms (decision_id, deployment_id, policy, arm, enforcer, action,"
            " final_action, item_id, community, decided_at) VALUES (?, ?, ?, ?, 'e@1', ?, ?, ?,"
            " NULL, ?)",
            ((f"d{k}", f"{p}-dep", p, arm, a, a, f"i{k}", t)
             for k, p, arm, a, t in zip(ids, policies, arms, actions, stamps, strict=True)),
        )  # fmt: skip
        con.commit()
    con.close()
    return time.perf_counter() - began


def seed_rest(store: Store, workspace: Path) -> dict[str, str]:
    """Accounts, an eval run, a golden set, review tasks; returns ids the pages need."""
    from modgate.golden import ImportOptions, import_golden_file
    from modgate.ui import create_account, grant_queue

    create_account(store, "admin", PASSWORD, "admin", actor="bench")
    create_account(store, "rita", PASSWORD, "reviewer", actor="bench")
    grant_queue(store, "rita", "hate", actor="bench")
    examples = [
        GoldenExample(
            item=Item(
                id=f"g{i}",
                body=("you are vermin" if i % 3 == 0 else "the news today") + f" {i}",
                community=f"c{i % 5}",
                language="en",
            ),
            gold=i % 3 == 0,
        )  # fmt: skip
        for i in range(400)
    ]
    save_items(store, [e.item for e in examples], actor="bench")
    enforcer = _Keyword()
    run = run_eval(
        store, enforcer=EnforcerRef(name="kw", version=1, version_hash="e" * 64, policy="hate@1"),
        golden=GoldenRef(name="bench-gold", version=1, content_hash="g" * 64),
        examples=examples, actor="bench", predictor=enforcer,
        config=FigureConfig(intervals=IntervalConfig(resamples=200)),
    )  # fmt: skip
    csv = workspace / "golden.csv"
    csv.write_text("id,text,label,annotator\n" + "".join(
        f"gs{i},text {i},{'violating' if i % 2 else 'non_violating'},a{j}\n"
        for i in range(200) for j in range(2)), "utf-8")  # fmt: skip
    import_golden_file(store, "bench-set", csv, ImportOptions(policy="hate"), actor="bench")
    ids = {"run": run.id}
    try:
        from modgate.review import enqueue
    except ImportError:  # the review library is not installed in this checkout
        return ids
    review_items = [Item(id=f"r{i}", body=f"review me {i}", community=f"c{i % 3}")
                    for i in range(300)]  # fmt: skip
    save_items(store, review_items, actor="bench")
    for it in review_items:
        enqueue(store, item_id=it.id, policy="hate", community=it.community, source="uncertain")
    ids["review"] = "1"
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000 if FULL else 100_000)
    parser.add_argument("--repeat", type=int, default=5 if FULL else 3)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from modgate.ui import UiSettings, create_ui_app

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        path = workspace / "bench.db"
        store = Store.from_url(f"sqlite:///{path}")
        upgrade_database(store)
        loaded = load_decisions(path, args.decisions)
        print(f"loaded {args.decisions:,} decisions (+ arms) in {loaded:.1f} s", flush=True)
        ids = seed_rest(store, workspace)
        app = create_ui_app(UiSettings(workspace=workspace), store)
        pages = ["/login", "/overview", "/overview?days=60", "/deployments", "/alerts",
                 "/incidents", "/policies", "/golden", "/golden/bench-set", "/evals",
                 f"/evals/{ids['run']}", "/monitors", "/sql", "/admin/users"]  # fmt: skip
        results: dict[str, float] = {}
        cpu: dict[str, float] = {}
        with TestClient(app, base_url="http://testserver") as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token
            done = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                               "csrf_token": token.group(1)},
                               follow_redirects=False)  # fmt: skip
            assert done.status_code == 303, done.text
            if "review" in ids:
                pages += ["/review", "/appeals"]
            for page in pages:
                times, cpus = [], []
                for k in range(args.repeat + 1):
                    c0 = time.process_time()
                    response = client.get(page)
                    c1 = time.process_time()
                    assert response.status_code == 200, (page, response.text[:500])
                    dur = float(response.headers["server-timing"].split("dur=")[1])
                    if k:
                        times.append(dur)
                        cpus.append((c1 - c0) * 1000)
                results[page] = statistics.median(times)
                cpu[page] = statistics.median(cpus)
            if "review" in ids:
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review").text)
                assert csrf
                claimed = client.post("/review/next", data={"csrf_token": csrf.group(1)},
                                      follow_redirects=False)  # fmt: skip
                task = claimed.headers["location"].rsplit("/", 1)[1]
                times, cpus = [], []
                for _ in range(args.repeat):
                    c0 = time.process_time()
                    response = client.get(f"/review/task/{task}")
                    cpus.append((time.process_time() - c0) * 1000)
                    times.append(float(response.headers["server-timing"].split("dur=")[1]))
                results["/review/task/N"] = statistics.median(times)
                cpu["/review/task/N"] = statistics.median(cpus)
        base, cbase = results["/login"], cpu["/login"]
        print(f"\n{'page':<26}{'server ms':>10}{'×login':>8}{'CPU ms':>9}{'×login':>8}"
              f"  target ≤ {TARGET_MS:.0f} ms")  # fmt: skip
        for page, ms in results.items():
            verdict = "ok" if ms <= TARGET_MS else "OVER"
            print(f"{page:<26}{ms:>10.1f}{ms / base:>8.1f}{cpu[page]:>9.1f}"
                  f"{cpu[page] / cbase:>8.1f}  {verdict}")  # fmt: skip
        print(
            f"(baseline: the login page, {base:.1f} ms wall / {cbase:.1f} ms CPU; "
            f"{args.decisions:,} decisions; CPU = this process's CPU time per fetch, client "
            "included, which the machine's load does not inflate)"
        )
        store.close()


if __name__ == "__main__":
    main()
