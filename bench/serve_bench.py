"""HTTP service: single-item req/s and p99, batch items/s, CPU-s per request, vs a bare endpoint.

Setup: the demo workspace's steps up to training the fast classifier (hashed n-grams +
logistic regression), deployed active for `hate_speech`, and beside it a rules enforcer (the
demo rule set) active for the site policy `violent_threats`: every item goes through the
rules + fast-classifier path, two verdicts per decision. Every request sends fresh item ids,
so each verdict is computed and stored, and each decision group-committed before its response.

Baseline, measured in the same run on the same machine with the same load generator: a bare
FastAPI endpoint under the same Uvicorn settings (uvloop and httptools when installed) that
parses a request of the same shape and returns a constant decision (no auth, no enforcer, no
database). Load comes from a separate process on loopback with a fixed number of connections,
for a fixed time: `wrk` (C, one thread) when it is on PATH (`apt-get install wrk`), else an
asyncio + httpx generator in Python (which needs more CPU per request itself). CPU-s per
request are the server process tree's (user + system) over the measured run; the load
generator's are printed beside them, since on a 2-core machine it shares the cores.
`--workers 1,2` also measures modgate with two Uvicorn processes.
Stream workers: items/s of one and two `StreamWorker` processes (fast classifier, same store)
draining a stream of `--messages` (30,000) messages, counted over `--seconds` after the first
commit (no baseline beyond each other: two workers on two cores should approach 2x).
The load average (1 min) is printed before and after: on a shared machine the absolute req/s
and latencies depend on it; CPU per request and the ratios to the bare endpoint much less.
Run: `.venv/bin/python bench/serve_bench.py [--seconds 6] [--conns 16] [--postgres URL]`
(the default run, SQLite only, takes about 90 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
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
                         port=int(sys.argv[3]), rate_per_second=1e9, rate_burst=10**9,
                         workers=int(sys.argv[4])))
"""

WRK_SCRIPT = """
local texts = {%(texts)s}
local n = 0
local prefix = "%(prefix)s"
local batch = %(batch)d
local headers = {["Content-Type"] = "application/json"%(auth)s}
function request()
  n = n + 1
  local items = {}
  for j = 1, batch do
    items[j] = '{"id":"' .. prefix .. '-' .. n .. '-' .. j .. '","body":' ..
      texts[(n * 31 + j) %% #texts + 1] .. '}'
  end
  local body
  if batch == 1 then body = '{"item":' .. items[1] .. '}'
  else body = '{"items":[' .. table.concat(items, ",") .. ']}' end
  return wrk.format("POST", "/v1/moderate", headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "errors": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (Uvicorn workers)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except (OSError, ValueError):
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


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


def _run_wrk(url: str, key: str, seconds: float, conns: int, batch: int, texts: Path) -> dict:  # type: ignore[type-arg]
    lua = Path(texts).with_suffix(f".{batch}.lua")
    auth = f', ["Authorization"] = "Bearer {key}"' if key else ""
    quoted = ",\n".join("[==[" + json.dumps(t) + "]==]" for t in json.loads(texts.read_text()))
    lua.write_text(WRK_SCRIPT % {"texts": quoted, "prefix": uuid.uuid4().hex[:12],
                                 "batch": batch, "auth": auth}, "utf-8")  # fmt: skip
    base = url.rsplit("/v1/", 1)[0]
    out = subprocess.run(
        ["wrk", "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "-s", str(lua), base],
        capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"wrk failed:\n{out.stderr}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    took = r["duration_us"] / 1e6
    ok = r["requests"] - r["errors"]
    return {
        "requests": ok, "errors": r["errors"], "seconds": took, "rps": ok / took,
        "items_per_s": ok * batch / took, "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
    }  # fmt: skip


def _run_load(url: str, key: str, seconds: float, conns: int, batch: int, texts: Path) -> dict:  # type: ignore[type-arg]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if shutil.which("wrk"):
        result = _run_wrk(url, key, seconds, conns, batch, texts)
    else:
        out = subprocess.run(
            [sys.executable, __file__, "--load", url, "--key", key, "--seconds", str(seconds),
             "--conns", str(conns), "--batch", str(batch), "--texts", str(texts)],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode != 0:
            raise SystemExit(f"load generator failed:\n{out.stderr}")
        result = dict(json.loads(out.stdout))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["loadgen_cpu_s_per_request"] = used / max(1, result["requests"])
    return result


def _scrape(port: int) -> dict[str, float]:
    """Sums and counts of the commit series of a modgate server (one worker's)."""
    import httpx

    wanted = ("modgate_commit_seconds_sum", "modgate_commit_seconds_count",
              "modgate_commit_batch_items_sum", "modgate_commit_batch_items_count")  # fmt: skip
    found: dict[str, float] = {}
    for line in httpx.get(f"http://127.0.0.1:{port}/metrics").text.splitlines():
        name, _, value = line.partition(" ")
        if name in wanted:
            found[name] = float(value)
    return found


# set-up ----------------------------------------------------------------------------------
def _workspace(folder: Path, database_url: str | None) -> tuple[str, Path, str, list[str]]:
    from rich.console import Console

    from modgate.cli.demo._enforce import SPEC_NAME, step_enforce
    from modgate.cli.demo._golden import step_golden
    from modgate.cli.demo._items import step_load_items
    from modgate.cli.demo._policy import step_policies
    from modgate.cli.demo._rules import step_rules
    from modgate.cli.demo._run import DemoRun, sample_file
    from modgate.enforce import get_enforcer_version, parse_enforcer_spec, register_enforcer
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
    # the rules path beside it: the demo rule set, enforcing the site policy violent_threats
    workspace = settings.workspace or folder
    demo_rules = (workspace / "rules" / "demo.yaml").read_text("utf-8")
    (workspace / "rules" / "bench.yaml").write_text(
        demo_rules.replace("policy: hate_speech@1", "policy: violent_threats@1"), "utf-8"
    )
    spec_file = workspace / "enforcers" / "threat-rules.yaml"
    spec_file.write_text(
        "kind: rules\npolicy: violent_threats@1\nparams: {ruleset: rules/bench.yaml}\n", "utf-8"
    )
    spec = parse_enforcer_spec(spec_file.read_text("utf-8"), file=spec_file)
    rules = register_enforcer(store, spec, workspace=workspace, actor="bench").version
    deploy(store, rules.ref, "active", actor="bench", force=True, reason="bench")
    key = create_api_key(store, "bench", ["moderate"], actor="bench").key
    texts = [json.loads(line).get("body") or json.loads(line).get("text") or "x"
             for line in sample_file().read_text("utf-8").splitlines() if line.strip()]  # fmt: skip
    url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    return url, settings.workspace or folder, key, texts


def _serve(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    import httpx

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    log = tempfile.NamedTemporaryFile(prefix="modgate-serve-bench-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start in 180 s: {' '.join(cmd[-4:])}; its log: {log.name}")


def _measure(name: str, cmd: list[str], port: int, key: str, args, texts: Path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    proc = _serve(cmd, port)
    url = f"http://127.0.0.1:{port}/v1/moderate"
    try:
        if name != "bare":  # readiness: the enforcer is loaded
            import httpx

            while httpx.get(f"http://127.0.0.1:{port}/readyz").status_code != 200:
                time.sleep(0.2)
        _run_load(url, key, 2, args.conns, 1, texts)  # warm-up
        before = _scrape(port) if name != "bare" else {}
        cpu0 = _cpu_seconds(proc.pid)
        single = _run_load(url, key, args.seconds, args.conns, 1, texts)
        single["cpu_s_per_request"] = (_cpu_seconds(proc.pid) - cpu0) / max(1, single["requests"])
        if name != "bare":
            after = _scrape(port)
            delta = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
            commits = max(1.0, delta.get("modgate_commit_seconds_count", 0.0))
            single["commit_ms"] = 1000 * delta.get("modgate_commit_seconds_sum", 0.0) / commits
            single["items_per_commit"] = delta.get("modgate_commit_batch_items_sum", 0.0) / commits
        cpu0 = _cpu_seconds(proc.pid)
        batch = _run_load(url, key, args.seconds, max(2, args.conns // 4), args.batch, texts)
        items = max(1, batch["requests"] * args.batch)
        batch["cpu_s_per_item"] = (_cpu_seconds(proc.pid) - cpu0) / items
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
store = Store.from_url(sys.argv[1], pooled=True)  # as `modgate worker` opens it
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
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--conns", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--messages", type=int, default=30_000, help="stream length")
    parser.add_argument("--postgres", default=None, help="also bench a PostgreSQL decision log")
    parser.add_argument("--workers", default="1", help="Uvicorn processes to bench, e.g. 1,2")
    parser.add_argument("--no-stream", action="store_true", help="skip the stream workers")
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
    counts = [int(w) for w in args.workers.split(",")]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="modgate-serve-bench-") as tmp:
        backends: list[tuple[str, str | None]] = [("sqlite", None)]
        if args.postgres:
            backends.append(("postgresql", _fresh_postgres(args.postgres)))
        texts_path = Path(tmp) / "texts.json"
        port = _free_port()
        for backend, url in backends:
            folder = Path(tmp) / backend
            db_url, workspace, key, texts = _workspace(folder, url)
            texts_path.write_text(json.dumps(texts), "utf-8")
            if "bare FastAPI" not in results:  # the ceiling, between the modgate runs
                port = _free_port()
                results["bare FastAPI"] = _measure(
                    "bare", [sys.executable, "-c", BARE_APP, str(port)], port, "", args,
                    texts_path,
                )  # fmt: skip
            for workers in counts:
                port = _free_port()
                cmd = [sys.executable, "-c", SERVE_APP, db_url, str(workspace), str(port),
                       str(workers)]  # fmt: skip
                name = f"modgate ({backend}, {workers}w)"
                results[name] = _measure(backend, cmd, port, key, args, texts_path)
            if not args.no_stream:
                for workers in (1, 2):
                    rate = _worker_rate(db_url, workspace, texts, workers, args)
                    results[name][f"worker_{workers}_items_per_s"] = rate
    bare = results["bare FastAPI"]
    tool = "wrk" if shutil.which("wrk") else "python asyncio+httpx"
    print(
        f"load: {tool}, {args.conns} connections ({max(2, args.conns // 4)} for batches), "
        f"{args.seconds:g} s per figure, batch {args.batch} items; {os.cpu_count()} cores; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"{'':24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10} {'gen ms/req':>10} "
        f"{'items/commit':>12} {'batch items/s':>13} {'CPU ms/item':>11} {'x bare req/s':>12} "
        f"{'x bare items/s':>14}"
    )
    for name, r in results.items():
        s, b = r["single"], r["batch"]
        per_commit = f"{s['items_per_commit']:12.1f}" if "items_per_commit" in s else f"{'':12}"
        print(
            f"{name:24} {s['rps']:7.0f} {s['p50_ms']:7.1f} {s['p99_ms']:7.1f} "
            f"{s['cpu_s_per_request'] * 1000:10.2f} {s['loadgen_cpu_s_per_request'] * 1000:10.2f} "
            f"{per_commit} {b['items_per_s']:13.0f} {b['cpu_s_per_item'] * 1000:11.3f} "
            f"{s['rps'] / bare['single']['rps']:12.2f} "
            f"{b['items_per_s'] / bare['batch']['items_per_s']:14.2f}"
        )
    for name, r in results.items():
        if "commit_ms" in r["single"]:
            s = r["single"]
            print(
                f"{name}: decide + group commit {s['commit_ms']:.2f} ms per commit of "
                f"{s['items_per_commit']:.1f} items (p50 latency {s['p50_ms']:.1f} ms)"
            )
        if "worker_1_items_per_s" in r:
            print(
                f"stream worker {name}: 1 worker {r['worker_1_items_per_s']:.0f} items/s, "
                f"2 workers {r['worker_2_items_per_s']:.0f} items/s "
                f"({r['worker_2_items_per_s'] / r['worker_1_items_per_s']:.2f}x)"
            )
    for name, r in results.items():
        if name == "bare FastAPI":
            continue
        s, b = r["single"], r["batch"]
        single_ok = s["rps"] >= 800 and s["p99_ms"] <= 30
        print(
            f"targets {name}: single {s['rps']:.0f} req/s, p99 {s['p99_ms']:.1f} ms "
            f"(>= 800 and <= 30: {'MET' if single_ok else 'MISSED'}); batch "
            f"{b['items_per_s']:.0f} items/s (>= 10,000: "
            f"{'MET' if b['items_per_s'] >= 10_000 else 'MISSED'})"
        )
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
