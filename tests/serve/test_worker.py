from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from modgate.serve import ServeMetrics, StreamWorker, WorkerSettings, message_decision_id
from modgate.store import Store, decisions

from .conftest import World, deploy_ref

_LAUNCH = """
import signal, sys, threading
from pathlib import Path
import redis
from modgate.serve import StreamWorker, WorkerSettings
from modgate.store import Store
store = Store.from_url(sys.argv[1])
settings = WorkerSettings(stream=sys.argv[3], consumer=sys.argv[4],
                          dead_letter_stream=sys.argv[3] + ":dead", batch_size=100,
                          claim_idle_ms=1000, block_ms=200)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
StreamWorker(store, Path(sys.argv[2]), redis.Redis(), settings).run(stop)
"""


@pytest.fixture
def stream() -> Iterator[str]:
    name = f"modgate-test:{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis()
    client.delete(name, f"{name}:dead", f"{name}:out")


def _add(stream: str, world: World, n: int) -> list[str]:
    client = redis.Redis()
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        item = world.items[i % len(world.items)]
        pipe.xadd(stream, {"item": json.dumps({"id": item.id, "body": item.body})})
    return [m.decode() for m in pipe.execute()]


def _rows(store: Store, stream: str) -> tuple[int, int]:
    prefix = message_decision_id(stream, "")
    query = select(func.count(), func.count(func.distinct(decisions.c.decision_id))).where(
        decisions.c.decision_id.like(prefix + "%")
    )
    with store.connect() as conn:
        total, distinct = conn.execute(query).one()
    return int(total), int(distinct)


def _start(world: World, stream: str, consumer: str) -> subprocess.Popen[bytes]:
    url = world.store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, url, str(world.workspace), stream, consumer], env=env
    )


def test_kill_9_mid_stream_then_another_worker_every_message_one_decision(
    world: World, stream: str
) -> None:
    deploy_ref(world, world.lenient.ref, "active")
    ids = _add(stream, world, 3000)
    first = _start(world, stream, "w1")
    try:
        deadline = time.monotonic() + 120
        while _rows(world.store, stream)[0] < 400:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    done_before = _rows(world.store, stream)[0]
    assert done_before < 3000, "the worker finished before it was killed; use more messages"
    second = _start(world, stream, "w2")
    try:
        deadline = time.monotonic() + 180
        while _rows(world.store, stream)[0] < 3000:
            assert time.monotonic() < deadline, _rows(world.store, stream)
            time.sleep(0.2)
        client = redis.Redis()
        while client.xpending(stream, "modgate")["pending"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0  # graceful shutdown
    finally:
        if second.poll() is None:
            second.kill()
    total, distinct = _rows(world.store, stream)
    assert (total, distinct) == (3000, 3000)
    with world.store.connect() as conn:
        prefix = message_decision_id(stream, "") + "%"
        query = select(decisions.c.decision_id).where(decisions.c.decision_id.like(prefix))
        stored = set(conn.execute(query).scalars())
    assert stored == {message_decision_id(stream, m) for m in ids}


def test_bad_messages_go_to_the_dead_letter_stream_with_their_error(
    world: World, stream: str
) -> None:
    deploy_ref(world, world.lenient.ref, "active")
    client = redis.Redis()
    good = _add(stream, world, 3)
    bad = client.xadd(stream, {"item": json.dumps({"id": "x", "kind": "tweet"})}).decode()
    settings = WorkerSettings(
        stream=stream, consumer="t", dead_letter_stream=f"{stream}:dead",
        output_stream=f"{stream}:out", block_ms=100,
    )  # fmt: skip
    worker = StreamWorker(world.store, world.workspace, client, settings, ServeMetrics())
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 30
    while worker.processed < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    [(_, dead)] = client.xrange(f"{stream}:dead")
    assert dead[b"message_id"].decode() == bad and b"kind" in dead[b"error"]
    out = [json.loads(f[b"decision"]) for _, f in client.xrange(f"{stream}:out")]
    assert [d["decision_id"] for d in out] == [message_decision_id(stream, m) for m in good]
    assert client.xpending(stream, "modgate")["pending"] == 0
    assert _rows(world.store, stream) == (3, 3)


def test_a_failing_message_is_dead_lettered_after_max_attempts(
    world: World, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy_ref(world, world.lenient.ref, "active")
    client = redis.Redis()
    [message] = _add(stream, world, 1)

    def broken(self, parsed):  # type: ignore[no-untyped-def]
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(StreamWorker, "_decide", broken)
    settings = WorkerSettings(
        stream=stream, consumer="t", dead_letter_stream=f"{stream}:dead", block_ms=50,
        claim_idle_ms=1, max_attempts=3,
    )  # fmt: skip
    worker = StreamWorker(world.store, world.workspace, client, settings, ServeMetrics())
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 30
    while not client.xlen(f"{stream}:dead"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    [(_, dead)] = client.xrange(f"{stream}:dead")
    assert dead[b"message_id"].decode() == message
    assert dead[b"attempts"] == b"3" and b"store unavailable" in dead[b"error"]
    assert client.xpending(stream, "modgate")["pending"] == 0


def test_the_worker_runs_shadows_off_its_write_path_and_counts_drops(
    world: World, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modgate.enforce import list_verdicts
    from modgate.serve._shadow import ShadowQueue

    deploy_ref(world, world.lenient.ref, "active")
    deploy_ref(world, world.strict.ref, "shadow")
    original = ShadowQueue.judge

    def slow(self, items):  # type: ignore[no-untyped-def]
        time.sleep(2.0)  # a deliberately slow shadow enforcer
        original(self, items)

    monkeypatch.setattr(ShadowQueue, "judge", slow)
    client = redis.Redis()
    metrics = ServeMetrics()
    settings = WorkerSettings(
        stream=stream, consumer="t", block_ms=50, batch_size=5, shadow_queue_size=1
    )
    worker = StreamWorker(world.store, world.workspace, client, settings, metrics)
    worker.ensure_group()
    _add(stream, world, 40)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    start = time.perf_counter()
    thread.start()
    deadline = time.monotonic() + 30
    while worker.processed < 40:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    took = time.perf_counter() - start
    # 8 batches would take ≥ 16 s if live writes waited for the slow shadow
    assert took < 8.0, took
    assert metrics.shadow_dropped._value.get() >= 20
    stop.set()
    thread.join(20)
    assert not thread.is_alive()
    assert _rows(world.store, stream) == (40, 40)
    # every decided item was either judged by the shadow or dropped and counted
    done = metrics.shadow_done._value.get()
    assert done >= 5
    assert done + metrics.shadow_dropped._value.get() == 40
    shadowed = {v.item_id for v in list_verdicts(world.store, enforcer=world.strict.name)}
    assert shadowed & {i.id for i in world.items[:40]}
