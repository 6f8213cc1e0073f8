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
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path("/work/shared/data")
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


def child_import(url: str, path: str, upgrade: bool) -> None:
    from modgate.store import ItemMapping, Store, import_items, upgrade_database

    store = Store.from_url(url)
    if upgrade:
        upgrade_database(store)
    started = time.perf_counter()
    report = import_items(
        store,
        Path(path),
        actor="bench",
        mapping=ItemMapping(columns=MAPPING),  # type: ignore[arg-type]
        rejects_path=Path(path + ".rejects.jsonl"),
        batch_size=5000,
    )
    seconds = time.perf_counter() - started
    store.close()
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib(), **report.model_dump()}))


def run_child(url: str, path: Path, upgrade: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(path), "1" if upgrade else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def baseline_csv(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle))
    assert count > 0
    return time.perf_counter() - started


def baseline_sqlite(path: Path, folder: Path) -> float:
    db = sqlite3.connect(folder / "baseline.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (a TEXT PRIMARY KEY, b, c, d, e, f, g)")
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        while chunk := [tuple(r) for _, r in zip(range(5000), reader, strict=False)]:
            db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
            db.commit()
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def line(name: str, rows: int, result: dict[str, object]) -> str:
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    return (
        f"{name:<28} {seconds:8.1f} s  {rows / seconds:10,.0f} rows/s  "
        f"peak {float(result['peak_mib']):7.0f} MiB  "  # type: ignore[arg-type]
        f"inserted={result['inserted']} unchanged={result['unchanged']} "
        f"rejected={result['rejected']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
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
        csv_seconds = baseline_csv(path)
        raw_seconds = baseline_sqlite(path, folder)
        print(
            f"{'baseline csv.reader':<28} {csv_seconds:8.1f} s  {rows / csv_seconds:10,.0f} rows/s"
        )
        print(
            f"{'baseline sqlite3 executemany':<28} {raw_seconds:8.1f} s  "
            f"{rows / raw_seconds:10,.0f} rows/s"
        )
        sqlite_url = f"sqlite:///{folder / 'modgate.db'}"
        first = run_child(sqlite_url, path, upgrade=True)
        print(line("modgate import sqlite", rows, first))
        again = run_child(sqlite_url, path, upgrade=False)
        print(line("modgate re-import sqlite", rows, again))
        results = {"sqlite": first}
        if not args.skip_postgres:
            from modgate.testing import throwaway_postgres_database

            with throwaway_postgres_database() as url:
                pg = run_child(url, path, upgrade=True)
            print(line("modgate import postgresql", rows, pg))
            results["postgresql"] = pg
        seconds = float(first["seconds"])  # type: ignore[arg-type]
        print(f"ratio sqlite import / csv.reader:          {seconds / csv_seconds:6.1f}x")
        print(f"ratio sqlite import / raw sqlite3 insert:  {seconds / raw_seconds:6.1f}x")
        verdict = "MET" if seconds <= TARGET_SQLITE_SECONDS * rows / 1_000_000 else "MISSED"
        print(f"target <= {TARGET_SQLITE_SECONDS:.0f} s per 1M rows on SQLite: {verdict}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_import(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main()
