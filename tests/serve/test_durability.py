"""kill -9 of a running service loses no decision whose response was sent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from modgate.enforce import existing_decision_ids

from .conftest import bearer, deploy_ref

_LAUNCH = """
import sys
from pathlib import Path
from modgate.serve import ServeSettings, run_server
run_server(ServeSettings(database_url=sys.argv[1], workspace=Path(sys.argv[2]),
                         port=int(sys.argv[3]), refresh_seconds=0.5))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kill_9_loses_no_decision_whose_response_was_sent(world) -> None:  # type: ignore[no-untyped-def]
    deploy_ref(world, world.lenient.ref, "active")
    headers = bearer(world.store, "moderate")
    port = _free_port()
    url = world.store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, url, str(world.workspace), str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "service never became ready"
            time.sleep(0.2)
        answered: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def send(worker: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
                n = 0
                while not stop.is_set():
                    n += 1
                    key = f"w{worker}-{n}"
                    body = {"item": {"id": f"k{worker}-{n}", "body": "x", "decision_id": key}}
                    try:
                        reply = client.post("/v1/moderate", json=body)
                    except httpx.TransportError:
                        return
                    if reply.status_code == 200:
                        with lock:
                            answered.append(reply.json()["decisions"][0]["decision_id"])

        senders = [threading.Thread(target=send, args=(w,)) for w in range(4)]
        for t in senders:
            t.start()
        while len(answered) < 100:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        stop.set()
        for t in senders:
            t.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert len(answered) >= 100
    stored = existing_decision_ids(world.store, answered)
    assert sorted(set(answered) - stored) == []
