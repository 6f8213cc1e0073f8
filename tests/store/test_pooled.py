"""`Store.from_url(..., pooled=True)`: SQLite connections kept open and shared across threads."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import NullPool, QueuePool

from modgate.store import Store


def test_pooled_sqlite_reuses_connections_with_the_pragmas_across_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/pooled.db"
    with Store.from_url(url) as plain:
        assert isinstance(plain.engine.pool, NullPool)
    store = Store.from_url(url, pooled=True)
    try:
        assert isinstance(store.engine.pool, QueuePool)
        with store.begin() as conn:
            conn.execute(text("create table t (n integer)"))
        seen: list[tuple[str, int, int]] = []

        def work(n: int) -> None:
            with store.begin() as conn:
                conn.execute(text("insert into t values (:n)"), {"n": n})
                mode = conn.execute(text("pragma journal_mode")).scalar_one()
                keys = conn.execute(text("pragma foreign_keys")).scalar_one()
                sync = conn.execute(text("pragma synchronous")).scalar_one()
                seen.append((mode, keys, sync))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(seen) == {("wal", 1, 1)}  # synchronous=NORMAL is 1
        with store.connect() as conn:
            assert conn.execute(text("select count(*), sum(n) from t")).one() == (20, 190)
        assert store.engine.pool.checkedin() >= 1  # connections went back to the pool
    finally:
        store.close()
