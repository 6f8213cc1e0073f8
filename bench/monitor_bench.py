"""Monitor checks at scale: every check over 5,000,000 decisions across 20,000 communities.

SIMULATED DATA. Nothing here is real traffic: community volumes are Zipf-distributed (s = 1.1)
over 20,000 communities, timestamps uniform over 15 days, item texts are 8 words drawn from a
Zipf vocabulary of 5,000 synthetic words, action = remove with a community rate drawn from
Beta(2, 18), scores Beta(8, 2) for removed items and Beta(2, 8) otherwise, a canary (`clf@2`)
that disagrees on 2 % of items, evasion features (normally computed once at decision time by
`record_decision_features`) drawn at 3 % — the generator knows what it simulated, so it writes
them directly instead of normalizing 5M texts. 50,000 simulated review outcomes.

Prints, per backend: the seconds of each check (one monitor per check, aggregation in SQL) and of
all of them, against the target of 60 s, and beside them a baseline measured in the same run: one
`GROUP BY community` over the whole log (decisions ⋈ items), the cheapest query that touches every
decision once. `--decisions N` (or `MODGATE_MONITOR_BENCH_DECISIONS`) sets the scale: 20,000 by
default so `make bench` stays short; the 60 s target is for 5,000,000.

Loading is timed separately from the checks: generation, then COPY on PostgreSQL (psycopg's
`copy`) or `executemany` of plain tuples in 250,000-row transactions on SQLite (WAL), then
`rebuild_rollups` — the path for a bulk load; decisions written through `decide` maintain the
roll-ups themselves, in their own transaction — timed on its own. The checks then read the
roll-ups (the report says `rollups`; `raw` would mean they were stale).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text

from modgate.monitor import MonitorConfig, run_monitor
from modgate.registry import create_registry
from modgate.store import Store, bulk_insert, rebuild_rollups, review_outcomes, upgrade_database

COMMUNITIES = 20_000
DAYS = 15
AT = datetime(2026, 11, 16, tzinfo=UTC)
TARGET_SECONDS = 60.0
BATCH = 250_000

CHECKS = [
    {"kind": "action_rate", "params": {"min_support": 50}},
    {"kind": "evasion_share", "params": {"min_support": 50}},
    {"kind": "caught_after_normalization", "params": {"min_support": 50}},
    {"kind": "overturn_rate", "params": {"min_support": 5}},
    {"kind": "volume_surge", "params": {"min_support": 50}},
    {"kind": "policy_impact", "params": {"expected_rate": 0.1}},
    {"kind": "score_drift", "params": {"statistic": "psi", "min_support": 50}},
    {"kind": "score_drift", "params": {"statistic": "ks", "min_support": 50}},
    {"kind": "score_drift", "params": {"statistic": "jensen_shannon", "min_support": 50}},
    {
        "kind": "score_drift",
        "params": {"statistic": "wasserstein", "min_support": 50, "min_value": 0.05},
    },
    {"kind": "disagreement", "params": {"min_support": 50}},
    {"kind": "emerging_terms", "max_texts": 20000},
    {"kind": "label_free", "threshold": 0.5, "params": {"min_precision": 0.5}},
]


def _stamp(seconds: np.ndarray, suffix: str) -> list[str]:
    """UTC timestamps as both backends read them (SQLAlchemy's SQLite text format; PostgreSQL
    parses the same text as UTC with the `+00` suffix)."""
    base = np.datetime64(AT.replace(tzinfo=None) - timedelta(days=DAYS), "us")
    return [str(t).replace("T", " ") + suffix for t in base + seconds.astype("timedelta64[s]")]


def _chunk(
    rng: np.random.Generator, lo: int, m: int, n: int, tables: Any, suffix: str
) -> dict[str, list]:
    """Rows (tuples) of decisions lo … lo + m − 1, time-ordered across chunks as a log is."""
    weights, rates, vocab, vocab_p = tables
    span = DAYS * 86400
    secs = np.sort(rng.integers(lo * span // n, (lo + m) * span // n, m))
    comm = rng.choice(COMMUNITIES, m, p=weights)
    bad = rng.random(m) < rates[comm]
    score = np.where(bad, rng.beta(8, 2, m), rng.beta(2, 8, m))
    flip = rng.random(m) < 0.02
    evasive = rng.random(m) < 0.03
    words = rng.choice(vocab, (m, 8), p=vocab_p)
    at = _stamp(secs, suffix)
    out: dict[str, list] = {"items": [], "decisions": [], "verdicts": [], "features": []}
    for j in range(m):
        k = lo + j
        c = f"c{comm[j]}"
        b = bool(bad[j])
        out["items"].append(
            (f"i{k}", "comment", c, " ".join(words[j]), "0" * 64, at[j], at[j], at[j])
        )
        out["decisions"].append((f"d{k}", f"i{k}", "remove" if b else "allow", "[]", at[j]))
        for version in (1, 2):
            v_bad = b != (version == 2 and bool(flip[j]))
            out["verdicts"].append(
                (f"i{k}", "harassment", "clf", version, float(score[j]),
                 "violating" if v_bad else "non_violating", "remove" if v_bad else "allow",
                 "[]", "", 0.0, 0.0, at[j])
            )  # fmt: skip
        e = bool(evasive[j])
        out["features"].append((f"d{k}", f"i{k}", c, at[j], int(e), e, e and b))
    return out


COLUMNS = {
    "items": "id, kind, community, body, content_hash, imported_at, updated_at, created_at",
    "decisions": "decision_id, item_id, action, reasons, decided_at",
    "verdicts": "item_id, policy, enforcer, enforcer_version, score, label, action, criteria, "
    "rationale, latency_ms, cost, created_at",
    "decision_features": "decision_id, item_id, community, decided_at, evasion_signals, "
    "normalization_changed, caught_after_normalization",
}


def _write(store: Store, rows: dict[str, list]) -> None:
    """COPY on PostgreSQL; executemany of plain tuples on SQLite (one transaction per chunk)."""
    tables = {"items": "items", "decisions": "decisions", "verdicts": "verdicts"}
    tables["features"] = "decision_features"
    with store.begin() as conn:
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        for key, table in tables.items():
            cols = COLUMNS[table]
            if store.dialect == "postgresql":
                with dbapi.cursor() as cursor:
                    with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows[key]:
                            copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in cols.split(","))
                dbapi.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[key])


def generate(store: Store, n: int, seed: int = 0) -> tuple[float, float]:
    """Bulk-load n simulated decisions (items, decisions, two verdicts each, features) and the
    review outcomes; returns (wall, CPU) seconds. The roll-ups are built afterwards by
    `rebuild_rollups` (the path for a bulk load; the decide path maintains them itself)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, COMMUNITIES + 1) ** 1.1
    weights /= weights.sum()
    rates = rng.beta(2, 18, COMMUNITIES)
    vocab = np.array([f"w{i}" for i in range(5000)])
    vocab_p = 1.0 / np.arange(1, 5001)
    vocab_p /= vocab_p.sum()
    tables = (weights, rates, vocab, vocab_p)
    began, cpu = time.perf_counter(), time.process_time()
    if store.dialect == "sqlite":
        with store.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    for lo in range(0, n, BATCH):
        suffix = "+00" if store.dialect == "postgresql" else ""
        _write(store, _chunk(rng, lo, min(BATCH, n - lo), n, tables, suffix))
    start = AT - timedelta(days=DAYS)
    reviews = []
    for k in range(min(50_000, n // 100)):
        c = int(rng.choice(COMMUNITIES, p=weights))
        reviews.append(
            {
                "item_id": f"i{k}",
                "policy": "harassment",
                "community": f"c{c}",
                "source": "appeal",
                "original_action": "remove",
                "final_action": "allow",
                "overturned": bool(rng.random() < 0.1),
                "reviewed_at": start + timedelta(seconds=int(rng.integers(0, DAYS * 86400))),
            }
        )
    with store.begin() as conn:
        bulk_insert(conn, review_outcomes, reviews)
    _analyze(store)
    return time.perf_counter() - began, time.process_time() - cpu


def _analyze(store: Store) -> None:
    if store.dialect == "postgresql":  # VACUUM: index-only counts need the visibility map
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with store.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def build_rollups(store: Store) -> tuple[float, float, int]:
    """`rebuild_rollups` after the bulk load: (wall, CPU) seconds and the decisions counted."""
    began, cpu = time.perf_counter(), time.process_time()
    with store.begin() as conn:
        counted = rebuild_rollups(conn)
    _analyze(store)
    return time.perf_counter() - began, time.process_time() - cpu, counted


def baseline_seconds(store: Store) -> tuple[float, float]:
    began, cpu = time.perf_counter(), time.process_time()
    with store.connect() as conn:
        conn.execute(
            text(
                "SELECT i.community, count(*) FROM decisions d JOIN items i ON i.id = d.item_id "
                "GROUP BY i.community"
            )
        ).all()
    return time.perf_counter() - began, time.process_time() - cpu


def time_one_monitor(store: Store) -> tuple[float, float, int, str]:
    """Every check in one monitor (shared aggregates): wall and CPU seconds, results."""
    config = MonitorConfig.model_validate(
        {
            "name": "bench_all",
            "scope": {"policy": "harassment", "enforcer": "clf@1", "challenger": "clf@2"},
            "checks": CHECKS,
        }
    )
    registry = create_registry()  # plugin loading is start-up cost, not the checks'
    wall, cpu = time.perf_counter(), time.process_time()
    report = run_monitor(store, config, at=AT, registry=registry)
    return time.perf_counter() - wall, time.process_time() - cpu, report.results, report.source


def time_checks(store: Store) -> dict[str, float]:
    registry = create_registry()
    scope = {"policy": "harassment", "enforcer": "clf@1", "challenger": "clf@2"}
    out: dict[str, float] = {}
    for entry in CHECKS:
        name = entry["kind"] + (
            f"[{entry['params']['statistic']}]" if entry["kind"] == "score_drift" else ""
        )
        config = MonitorConfig.model_validate(
            {"name": f"bench_{len(out)}", "scope": scope, "checks": [entry]}
        )
        began, cpu = time.perf_counter(), time.process_time()
        report = run_monitor(store, config, at=AT, registry=registry)
        out[name] = time.perf_counter() - began
        print(
            f"  {name:<32} {out[name]:7.2f} s wall {time.process_time() - cpu:6.2f} s CPU  "
            f"({report.results} results, {len(report.fired)} fired, {report.source})",
            flush=True,
        )
    return out


def bench(store: Store, label: str, n: int, *, per_check: bool) -> None:
    upgrade_database(store)
    print(f"{label}: loading {n:,} simulated decisions …", flush=True)
    gen, gen_cpu = generate(store, n)
    print(f"{label}: loaded in {gen:.0f} s wall, {gen_cpu:.0f} s CPU (not part of the target)")
    roll, roll_cpu, counted = build_rollups(store)
    print(
        f"{label}: roll-ups rebuilt from the log in {roll:.1f} s wall, {roll_cpu:.1f} s CPU of "
        f"this process ({counted:,} decisions; the decide path maintains them incrementally)"
    )
    base, base_cpu = baseline_seconds(store)
    print(
        f"{label}: baseline (one GROUP BY community over the whole log) {base:.2f} s wall, "
        f"{base_cpu:.2f} s CPU of this process"
    )
    wall, cpu, results, source = time_one_monitor(store)
    verdict = "MET" if wall <= TARGET_SECONDS else "MISSED"
    print(
        f"{label}: every check in one monitor ({source}): {wall:.1f} s wall, {cpu:.1f} s CPU of "
        f"this process, {results:,} results for {n:,} decisions — target {TARGET_SECONDS:.0f} s "
        f"at 5M: {verdict}; {wall / base:.2f}× the baseline; load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    if per_check:
        times = time_checks(store)
        print(f"{label}: checks one by one: {sum(times.values()):.1f} s")


def main() -> None:
    # a killed bench still drops its database and file (the finally blocks below run)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--decisions",
        type=int,
        default=int(os.environ.get("MODGATE_MONITOR_BENCH_DECISIONS", "20000")),
        help="Simulated decisions (default: $MODGATE_MONITOR_BENCH_DECISIONS or 20,000 for "
        "`make bench`; the 60 s target is for 5,000,000).",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--per-check", action="store_true", help="Also time each check alone.")
    parser.add_argument("--sqlite-path", default=f"/tmp/modgate_monitor_bench_{os.getpid()}.db")
    args = parser.parse_args()
    print("SIMULATED DATA (see the module docstring for what is simulated)")
    if args.backend in ("sqlite", "both"):
        path = args.sqlite_path
        store = Store.from_url(f"sqlite:///{path}")
        try:
            bench(store, "sqlite", args.decisions, per_check=args.per_check)
        finally:
            store.close()
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
    if args.backend in ("postgresql", "both"):
        admin_url = os.environ.get(
            "MODGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        name = f"modgate_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        store = Store.from_url(admin_url.rsplit("/", 1)[0] + f"/{name}")
        try:
            bench(store, "postgresql", args.decisions, per_check=args.per_check)
        finally:
            store.close()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    main()
