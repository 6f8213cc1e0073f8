"""Benchmark `modgate items import` on a generated N-row CSV (default 1,000,000 rows).

Texts are sampled from /work/shared/data (Davidson, ETHOS, ToxiGen seeds: licences that allow
local use; the file is written to a temporary folder and deleted), joined 1-4 at a time for
varied lengths, with Reddit-like columns (comment_id, body, subreddit, created_utc, author,
score, permalink). Each import runs in a child process so its peak memory (max RSS) is its own.

Printed: rows/s, seconds and peak memory for SQLite and PostgreSQL, the idempotent re-import on
SQLite, and baselines measured in the same run on the same file: a bare `csv.reader` pass and
`sqlite3.executemany` of the raw tuples into a bare table (no checks, no hashing, no JSON).

Usage: .venv/bin/python bench/import_bench.py [--rows N] [--skip-postgres] [--keep FILE]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DATA = Path("/work/shared/data")

FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""
SOURCES = (
    "davidson-hate-offensive/davidson-hate-offensive.jsonl.gz",
    "ethos/ethos-binary.jsonl.gz",
    "toxigen-prompt-seeds/toxigen-prompt-seeds.jsonl.gz",
)
MAPPING = {
    "id": "comment_id",
    "text": "body",
    "community": "subreddit",
    "created_at": "created_utc",
    "author_id": "author",
}
TARGET_SQLITE_SECONDS = 60.0


def load_texts() -> list[str]:
    texts: list[str] = []
    for name in SOURCES:
        path = DATA / name
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle)
    if not texts:
        sys.exit(f"no texts found under {DATA}")
    return texts


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    texts = load_texts()
    communities = [f"community_{i}" for i in range(2000)]
    weights = [1 / (i + 1) for i in range(len(communities))]  # Zipf-like volumes
    picks = rng.choices(communities, weights=weights, k=rows)
    start = 1_600_000_000
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["comment_id", "body", "subreddit", "created_utc", "author", "score", "permalink"]
        )
        for n in range(rows):
            body = " ".join(rng.choice(texts) for _ in range(rng.randint(1, 4)))
            writer.writerow(
                [
                    f"t1_{n:08x}",
                    body,
                    picks[n],
                    start + n * 3,
                    f"user{rng.randrange(200_000)}",
                    rng.randint(-20, 500),
                    f"/r/{picks[n]}/comments/{n:x}/",
                ]
            )


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_import(url: str, path: str, upgrade: bool) -> None:
    from modgate.store import ItemMapping, Store, import_items, upgrade_database

    store = Store.from_url(url)
    if upgrade:
        upgrade_database(store)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    report = import_items(
        store,
        Path(path),
        actor="bench",
        mapping=ItemMapping(columns=MAPPING),  # type: ignore[arg-type]
        rejects_path=Path(path + ".rejects.jsonl"),
        batch_size=5000,
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    store.close()
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak_mib(), **report.model_dump()})
    )


def run_child(url: str, path: Path, upgrade: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(path), "1" if upgrade else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def baseline_csv(path: Path) -> tuple[float, float]:
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle))
    assert count > 0
    return time.perf_counter() - started, cpu_seconds() - cpu_started


def _chunks(path: Path) -> Iterator[list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        while chunk := [tuple(r) for _, r in zip(range(5000), reader, strict=False)]:
            yield chunk


def baseline_sqlite(path: Path, folder: Path) -> tuple[float, float]:
    db = sqlite3.connect(folder / "baseline.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (a TEXT PRIMARY KEY, b, c, d, e, f, g)")
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for chunk in _chunks(path):
        db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
        db.commit()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    db.close()
    return seconds, cpu


def baseline_postgres(path: Path, url: str) -> tuple[float, float]:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
    ) as db:
        db.execute(
            "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT)"
        )
        started, cpu_started = time.perf_counter(), cpu_seconds()
        for chunk in _chunks(path):
            with db.cursor() as cursor, cursor.copy("COPY t FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
            db.commit()
        return time.perf_counter() - started, cpu_seconds() - cpu_started


def show(name: str, rows: int, seconds: float, cpu: float, extra: str = "") -> None:
    print(f"{name:<30} {seconds:7.1f} s  {rows / seconds:9,.0f} rows/s  cpu {cpu:6.1f} s  {extra}")


def show_import(name: str, rows: int, result: dict[str, object]) -> None:
    extra = (
        f"peak {float(result['peak_mib']):5.0f} MiB  "  # type: ignore[arg-type]
        f"inserted={result['inserted']} unchanged={result['unchanged']} "
        f"rejected={result['rejected']}"
    )
    show(name, rows, float(result["seconds"]), float(result["cpu"]), extra)  # type: ignore[arg-type]


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000 if FULL else 100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated CSV at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modgate-bench-") as tmp:
        folder = Path(tmp)
        path = args.keep or folder / "items.csv"
        if not path.exists():
            started = time.perf_counter()
            generate(path, args.rows)
            print(
                f"generated {args.rows:,} rows, {path.stat().st_size / 2**20:,.0f} MiB "
                f"in {time.perf_counter() - started:.1f} s"
            )
        rows = args.rows
        print(f"load average {load()} on {os.cpu_count()} cores (the machine is shared)")
        csv_seconds, csv_cpu = baseline_csv(path)
        show("baseline csv.reader", rows, csv_seconds, csv_cpu)
        raw_seconds, raw_cpu = baseline_sqlite(path, folder)
        show("baseline sqlite3 executemany", rows, raw_seconds, raw_cpu)
        sqlite_url = f"sqlite:///{folder / 'modgate.db'}"
        first = run_child(sqlite_url, path, upgrade=True)
        show_import("modgate import sqlite", rows, first)
        again = run_child(sqlite_url, path, upgrade=False)
        show_import("modgate re-import sqlite", rows, again)
        seconds, cpu = float(first["seconds"]), float(first["cpu"])  # type: ignore[arg-type]
        print(
            f"ratio sqlite import / csv.reader:         {seconds / csv_seconds:5.1f}x wall  "
            f"{cpu / csv_cpu:5.1f}x cpu"
        )
        print(
            f"ratio sqlite import / raw executemany:    {seconds / raw_seconds:5.1f}x wall  "
            f"{cpu / raw_cpu:5.1f}x cpu"
        )
        if not args.skip_postgres:
            from modgate.testing import throwaway_postgres_database

            with throwaway_postgres_database() as url:
                pg_seconds, pg_cpu = baseline_postgres(path, url)
            show("baseline psycopg COPY", rows, pg_seconds, pg_cpu)
            with throwaway_postgres_database() as url:
                pg = run_child(url, path, upgrade=True)
            show_import("modgate import postgresql", rows, pg)
            print(
                "ratio postgresql import / raw COPY:       "
                f"{float(pg['seconds']) / pg_seconds:5.1f}x wall"  # type: ignore[arg-type]
            )
        verdict = "MET" if seconds <= TARGET_SQLITE_SECONDS * rows / 1_000_000 else "MISSED"
        print(f"target <= {TARGET_SQLITE_SECONDS:.0f} s per 1M rows on SQLite (wall): {verdict}")
        print(f"load average {load()}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_import(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main()
