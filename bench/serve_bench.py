"""HTTP service: single-item req/s and p99, batch items/s, CPU-s per request, vs a bare endpoint.

Setup: the demo workspace's steps up to training the fast classifier (hashed n-grams +
logistic regression), deployed active; every request sends fresh item ids, so each verdict
is computed and stored, and each decision group-committed before its response.

Baseline, measured in the same run on the same machine with the same load generator: a bare
FastAPI endpoint under the same Uvicorn settings that parses a request of the same shape and
returns a constant decision (no auth, no enforcer, no database). Load comes from a separate
process on loopback with a fixed number of connections, for a fixed time.
Stream workers: items/s of one and two `StreamWorker` processes (fast classifier, same store)
draining a stream of `--messages` (100,000) messages, counted over `--seconds` after the first
commit (no baseline beyond each other: two workers on two cores should approach 2x).
Run: `.venv/bin/python bench/serve_bench.py [--seconds 10] [--conns 16] [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BARE_APP = """
import sys, uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

class It(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    body: str = ""

class Req(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    item: It | None = None
    items: list[It] | None = None

app = FastAPI()

@app.post("/v1/moderate")
async def moderate(req: Req) -> dict[str, object]:
    items = [req.item] if req.item else list(req.items or [])
    return {"decisions": [{"item_id": i.id, "action": "allow"} for i in items]}

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""

SERVE_APP = """
import sys
from pathlib import Path
from modgate.serve import ServeSettings, run_server
run_server(ServeSettings(database_url=sys.argv[1], workspace=Path(sys.argv[2]),
                         port=int(sys.argv[3]), rate_per_second=1e9, rate_burst=10**9))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# the load generator (run as a separate process) ---------------------------------------------
async def _load(url: str, key: str, seconds: float, conns: int, batch: int, texts: list[str]):  # type: ignore[no-untyped-def]
    import httpx

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    prefix = uuid.uuid4().hex[:8]

    async def one(worker: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        n = 0
        while time.perf_counter() < stop:
            n += 1
            items = [
                {
                    "id": f"{prefix}-{worker}-{n}-{j}",
                    "body": texts[(n * 31 + j + worker) % len(texts)],
                }
                for j in range(batch)
            ]
            body = {"item": items[0]} if batch == 1 else {"items": items}
            start = time.perf_counter()
            reply = await client.post(url, json=body, headers=headers)
            if reply.status_code == 200:
                latencies.append(time.perf_counter() - start)
            else:
                errors += 1

    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(one(w, client) for w in range(conns)))
        took = time.perf_counter() - began
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": len(latencies), "errors": errors, "seconds": took,
        "rps": len(latencies) / took, "items_per_s": len(latencies) * batch / took,
        "p50_ms": p(0.5) if latencies else None, "p99_ms": p(0.99) if latencies else None,
    }  # fmt: skip


def _run_load(url: str, key: str, seconds: float, conns: int, batch: int, texts: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(
        [sys.executable, __file__, "--load", url, "--key", key, "--seconds", str(seconds),
         "--conns", str(conns), "--batch", str(batch), "--texts", str(texts)],
        capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"load generator failed:\n{out.stderr}")
    return dict(json.loads(out.stdout))


# set-up ----------------------------------------------------------------------------------
def _workspace(folder: Path, database_url: str | None) -> tuple[str, Path, str, list[str]]:
    from rich.console import Console

    from modgate.cli.demo._enforce import SPEC_NAME, step_enforce
    from modgate.cli.demo._golden import step_golden
    from modgate.cli.demo._items import step_load_items
    from modgate.cli.demo._policy import step_policies
    from modgate.cli.demo._rules import step_rules
    from modgate.cli.demo._run import DemoRun, sample_file
    from modgate.enforce import get_enforcer_version
    from modgate.release import deploy
    from modgate.serve import create_api_key
    from modgate.store import init_workspace, open_store

    extra = {"database_url": database_url} if database_url else {}
    settings = init_workspace(folder, exist_ok=True, **extra)
    store = open_store(settings)
    run = DemoRun(settings=settings, store=store, out=Console(file=open(os.devnull, "w")),  # noqa: SIM115
                  sample_path=sample_file())  # fmt: skip
    for step in (step_load_items, step_policies, step_golden, step_rules, step_enforce):
        step(run)
    version = get_enforcer_version(store, SPEC_NAME)
    deploy(store, version.ref, "active", actor="bench", force=True, reason="bench")
    key = create_api_key(store, "bench", ["moderate"], actor="bench").key
    texts = [json.loads(line).get("body") or json.loads(line).get("text") or "x"
             for line in sample_file().read_text("utf-8").splitlines() if line.strip()]  # fmt: skip
    url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    return url, settings.workspace or folder, key, texts


def _serve(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    import httpx

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def _measure(name: str, cmd: list[str], port: int, key: str, args, texts: Path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    proc = _serve(cmd, port)
    url = f"http://127.0.0.1:{port}/v1/moderate"
    try:
        if name != "bare":  # readiness: the enforcer is loaded
            import httpx

            while httpx.get(f"http://127.0.0.1:{port}/readyz").status_code != 200:
                time.sleep(0.2)
        _run_load(url, key, 2, args.conns, 1, texts)  # warm-up
        cpu0 = _cpu_seconds(proc.pid)
        single = _run_load(url, key, args.seconds, args.conns, 1, texts)
        single["cpu_s_per_request"] = (_cpu_seconds(proc.pid) - cpu0) / max(1, single["requests"])
        batch = _run_load(url, key, args.seconds, max(2, args.conns // 4), args.batch, texts)
    finally:
        proc.terminate()
        proc.wait(20)
    return {"single": single, "batch": batch}


WORKER_APP = """
import signal, sys, threading
from pathlib import Path
import redis
from modgate.serve import StreamWorker, WorkerSettings
from modgate.store import Store
store = Store.from_url(sys.argv[1])
settings = WorkerSettings(stream=sys.argv[3], consumer=sys.argv[4], batch_size=200, block_ms=200)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
StreamWorker(store, Path(sys.argv[2]), redis.Redis(), settings).run(stop)
"""


def _worker_rate(db_url: str, workspace: Path, texts: list[str], workers: int, args) -> float:  # type: ignore[no-untyped-def]
    """Items/s of `workers` stream workers over a stream of `args.messages` messages."""
    import redis
    from sqlalchemy import func, select

    from modgate.store import Store, decisions

    client = redis.Redis()
    stream = f"modgate-bench:{uuid.uuid4().hex[:8]}"
    pipe = client.pipeline(transaction=False)
    for n in range(args.messages):
        item = {"id": f"{stream}-{n}", "body": texts[n % len(texts)]}
        pipe.xadd(stream, {"item": json.dumps(item)})
        if n % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    store = Store.from_url(db_url)
    query = select(func.count()).where(decisions.c.decision_id.like(f"stream:{stream}:%"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER_APP, db_url, str(workspace), stream, f"w{i}"], env=env
        )  # fmt: skip
        for i in range(workers)
    ]
    try:
        with store.connect() as conn:  # wait for the first commit (enforcer loaded)
            deadline = time.monotonic() + 60
            while conn.execute(query).scalar_one() == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            start_rows, start = conn.execute(query).scalar_one(), time.perf_counter()
        time.sleep(args.seconds)
        with store.connect() as conn:
            rows = conn.execute(query).scalar_one() - start_rows
        rate = rows / (time.perf_counter() - start)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        client.delete(stream)
        store.close()
    return float(rate)


def _fresh_postgres(server_url: str) -> str:
    """A new empty database on the server of `server_url` (dropped by hand: modgate_bench_*)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"modgate_bench_{os.getpid()}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    """Run the bench (or, with --load, be the load generator)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--conns", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--messages", type=int, default=100_000, help="stream length")
    parser.add_argument("--postgres", default=None, help="also bench a PostgreSQL decision log")
    parser.add_argument("--load")
    parser.add_argument("--key", default="")
    parser.add_argument("--texts")
    args = parser.parse_args()
    if args.load:
        texts = json.loads(Path(args.texts).read_text("utf-8"))
        result = asyncio.run(
            _load(args.load, args.key, args.seconds, args.conns, args.batch, texts)
        )
        print(json.dumps(result))
        return
    results: dict[str, dict] = {}  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory(prefix="modgate-serve-bench-") as tmp:
        backends: list[tuple[str, str | None]] = [("sqlite", None)]
        if args.postgres:
            backends.append(("postgresql", _fresh_postgres(args.postgres)))
        texts_path = Path(tmp) / "texts.json"
        for backend, url in backends:
            folder = Path(tmp) / backend
            db_url, workspace, key, texts = _workspace(folder, url)
            texts_path.write_text(json.dumps(texts), "utf-8")
            port = _free_port()
            cmd = [sys.executable, "-c", SERVE_APP, db_url, str(workspace), str(port)]
            results[f"modgate ({backend})"] = _measure(backend, cmd, port, key, args, texts_path)
            for workers in (1, 2):
                rate = _worker_rate(db_url, workspace, texts, workers, args)
                results[f"modgate ({backend})"][f"worker_{workers}_items_per_s"] = rate
        port = _free_port()
        results["bare FastAPI"] = _measure(
            "bare", [sys.executable, "-c", BARE_APP, str(port)], port, "", args, texts_path
        )
    bare = results["bare FastAPI"]
    print(f"{args.conns} connections, {args.seconds:g} s per figure, batch {args.batch} items")
    print(
        f"{'':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU-s/req':>10} "
        f"{'batch items/s':>14} {'ratio req/s':>12} {'ratio items/s':>14}"
    )
    for name, r in results.items():
        s, b = r["single"], r["batch"]
        print(
            f"{name:22} {s['rps']:8.0f} {s['p50_ms']:8.1f} {s['p99_ms']:8.1f} "
            f"{s['cpu_s_per_request'] * 1000:8.2f}ms {b['items_per_s']:14.0f} "
            f"{s['rps'] / bare['single']['rps']:12.2f} "
            f"{b['items_per_s'] / bare['batch']['items_per_s']:14.2f}"
        )
    for name, r in results.items():
        if "worker_1_items_per_s" in r:
            print(
                f"stream worker {name}: 1 worker {r['worker_1_items_per_s']:.0f} items/s, "
                f"2 workers {r['worker_2_items_per_s']:.0f} items/s "
                f"({r['worker_2_items_per_s'] / r['worker_1_items_per_s']:.2f}x)"
            )
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
