"""A killed `modgate sql` cancels its PostgreSQL query: the backend does not keep running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from modgate.store import Store


def _active(store: Store, marker: str) -> int:
    with store.connect() as conn:
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE state = 'active' AND query LIKE :q AND pid <> pg_backend_pid()"
            ),
            {"q": f"%{marker}%"},
        ).scalar()
    return int(found or 0)


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_killed_client_cancels_its_postgres_query(
    postgres_store: Store,
    postgres_url: str,
    postgres_reader_url: str,
    tmp_path: Path,
    signum: int,
    exit_code: int,
) -> None:
    marker = f"m{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "MODGATE_DATABASE_URL": postgres_url,
        "MODGATE_SQL_DATABASE_URL": postgres_reader_url,
        "MODGATE_SQL_TIMEOUT_S": "120",
    }
    env.pop("MODGATE_WORKSPACE", None)
    client = subprocess.Popen(
        [sys.executable, "-m", "modgate", "sql", f"SELECT pg_sleep(60) AS {marker}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not _active(postgres_store, marker):
            assert client.poll() is None, client.communicate()[1].decode()
            assert time.monotonic() < deadline, "the query never started"
            time.sleep(0.1)
        client.send_signal(signum)
        _, err = client.communicate(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    assert client.returncode == exit_code, err.decode()
    assert "cancelled" in err.decode()
    deadline = time.monotonic() + 5
    while _active(postgres_store, marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _active(postgres_store, marker) == 0, "the backend still runs the query"
