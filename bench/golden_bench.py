"""Golden-set benchmark: import + check + freeze of 200,000 items (target: <= 60 s in all).

Items come from the shared data sets (Davidson with its crowd vote counts; ToxiGen seeds, ETHOS
and the Reddit macro-norm removals with their file labels), cycled with distinct ids until the
count is reached — cycled copies are exact duplicates, so the near-duplicate check and the
grouped splits have real work to do. The baseline, measured in the same run, is a plain read
of the same files (decompress + json.loads per line).

Usage: .venv/bin/python bench/golden_bench.py [--items N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from modgate.golden import (
    ImportOptions,
    auto_adjudicate,
    check_golden_set,
    freeze_golden_set,
    import_golden_file,
)
from modgate.store import Store, upgrade_database

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
VOTES = DATA / "davidson-hate-offensive" / "davidson-hate-offensive.jsonl.gz"
LABELED = [
    DATA / "toxigen-prompt-seeds" / "toxigen-prompt-seeds.jsonl.gz",
    DATA / "ethos" / "ethos-binary.jsonl.gz",
    DATA / "reddit-macro-norm-violations" / "reddit-macro-norm-violations.jsonl.gz",
]
DAVIDSON_MAP = "hate_speech=violating,offensive_language=non_violating,neither=non_violating"

FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""


def _rows(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _cycled(rows: list[dict[str, object]], count: int) -> Iterator[dict[str, object]]:
    for n in range(count):
        row = rows[n % len(rows)]
        cycle = n // len(rows)
        yield {**row, "id": f"{row['id']}~{cycle}" if cycle else row["id"]}


def build_files(folder: Path, total: int) -> tuple[Path, Path]:
    """Write the vote-count file (half) and the file-label file (the rest)."""
    davidson = _rows(VOTES)
    labeled = [row for path in LABELED for row in _rows(path)]
    votes_path, labels_path = folder / "votes.jsonl", folder / "labels.jsonl"
    with votes_path.open("w", encoding="utf-8") as handle:
        for row in _cycled(davidson, total // 2):
            meta = row["meta"]
            assert isinstance(meta, dict)
            out = {k: row[k] for k in ("id", "text", "policy", "source")}
            out.update({k: v for k, v in meta.items() if k.endswith("_votes")})
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
    with labels_path.open("w", encoding="utf-8") as handle:
        for row in _cycled(labeled, total - total // 2):
            out = {k: row[k] for k in ("id", "text", "policy", "source", "label")}
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
    return votes_path, labels_path


def baseline(paths: tuple[Path, ...]) -> float:
    """Seconds to read and parse the same files, doing nothing else."""
    start = time.perf_counter()
    count = 0
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                json.loads(line)
                count += 1
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print seconds per stage and the ratio to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000 if FULL else 20_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    if not VOTES.exists():
        raise SystemExit(f"shared data not found at {DATA}")
    with tempfile.TemporaryDirectory(prefix="golden-bench-") as tmp:
        folder = Path(tmp)
        votes_path, labels_path = build_files(folder, args.items)
        base = baseline((votes_path, labels_path))
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        store = Store.from_url(url)
        upgrade_database(store)
        stages: dict[str, float] = {}
        cpu: dict[str, float] = {}

        start, cpu_start = time.perf_counter(), time.process_time()
        voted = import_golden_file(
            store,
            "bench",
            votes_path,
            ImportOptions(shape="votes", label_map=dict(
                pair.split("=") for pair in DAVIDSON_MAP.split(",")
            )),
            actor="bench",
        )  # fmt: skip
        labeled = import_golden_file(
            store, "bench", labels_path, ImportOptions(shape="annotations"), actor="bench"
        )
        stages["import"] = time.perf_counter() - start
        cpu["import"] = time.process_time() - cpu_start

        start, cpu_start = time.perf_counter(), time.process_time()
        report = check_golden_set(store, "bench")
        stages["check"] = time.perf_counter() - start
        cpu["check"] = time.process_time() - cpu_start

        start, cpu_start = time.perf_counter(), time.process_time()
        adjudicated = auto_adjudicate(store, "bench", method="majority", actor="bench")
        stages["adjudicate (majority)"] = time.perf_counter() - start
        cpu["adjudicate (majority)"] = time.process_time() - cpu_start

        start, cpu_start = time.perf_counter(), time.process_time()
        frozen = freeze_golden_set(store, "bench", actor="bench")
        stages["freeze"] = time.perf_counter() - start
        cpu["freeze"] = time.process_time() - cpu_start
        store.close()

    items = voted.items + labeled.items
    print(f"golden bench: {items:,} items ({voted.items:,} with vote counts), {url.split(':')[0]}")
    print(f"  baseline (plain read + json.loads of the same files): {base:8.2f} s")
    print(f"  {'stage':<24} {'wall':>8}   {'cpu':>8}")
    for stage, seconds in stages.items():
        print(f"  {stage:<24} {seconds:8.2f} s {cpu[stage]:8.2f} s")
    required = stages["import"] + stages["check"] + stages["freeze"]
    required_cpu = cpu["import"] + cpu["check"] + cpu["freeze"]
    total = sum(stages.values())

    target_s = 60 * args.items / 200_000  # the target is 60 s for 200,000 items
    if args.items != 200_000:
        print(f"  {args.items:,} items: the 60 s target is scaled to {target_s:.1f} s "
              "(issue scale: MODGATE_BENCH_FULL=1 or --items 200000)")  # fmt: skip

    def verdict(seconds: float) -> str:
        return "met" if seconds <= target_s else "MISSED"

    print(
        f"  import + check + freeze  {required:8.2f} s {required_cpu:8.2f} s   "
        f"(target <= {target_s:.1f} s: wall {verdict(required)}, cpu {verdict(required_cpu)}); "
        f"with adjudication {total:.2f} s wall"
    )
    print(f"  ratio to baseline: {required / base:.1f}x wall, {required_cpu / base:.1f}x cpu")
    print(f"  load average now: {os.getloadavg()[0]:.1f} (wall > cpu means a busy machine)")
    print(
        f"  findings: {len(report.near_duplicates):,} duplicate pairs, "
        f"{len(report.conflicts):,} conflicting clusters, "
        f"{sum(b.single_class for b in report.balance)} single-class sources; "
        f"queue {adjudicated.queue:,}; frozen {frozen.version.item_count:,} items "
        f"({frozen.unresolved:,} unresolved) {frozen.split_counts}"
    )


if __name__ == "__main__":
    main()
