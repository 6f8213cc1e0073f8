"""Roll-ups: maintained at decide time, idempotent under replay, rebuild == increments, and
every check reads the same from them as from the raw log (SIMULATED data, both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from modgate.monitor import MonitorConfig, record_decision_features, run_monitor
from modgate.monitor._repo import (
    WindowQuery,
    fetch_disagreement,
    fetch_score_sums,
    fetch_window_table,
)
from modgate.monitor._rollup_read import (
    rollup_disagreement,
    rollup_score_sums,
    rollup_window_table,
    rollups_current,
    split_window,
)
from modgate.store import (
    ROLLUP_BINS,
    Store,
    decisions,
    monitor_rollup_counts,
    monitor_rollup_pairs,
    monitor_rollup_scores,
    rebuild_rollups,
)

from .conftest import AT, Traffic, seed

CHECKS: list[dict[str, Any]] = [
    {"kind": "action_rate", "params": {"min_support": 20}},
    {"kind": "action_rate", "actions": ["remove", "review"], "params": {"min_support": 20}},
    {"kind": "evasion_share", "params": {"min_support": 10}},
    {"kind": "caught_after_normalization", "params": {"min_support": 10}},
    {"kind": "volume_surge", "params": {"min_support": 20}},
    {"kind": "policy_impact", "params": {"expected_rate": 0.1}},
    {"kind": "score_drift", "params": {"statistic": "psi", "min_support": 20}},
    {"kind": "score_drift", "params": {"statistic": "ks", "min_support": 20}},
    {"kind": "score_drift", "params": {"statistic": "jensen_shannon", "min_support": 20}},
    {"kind": "score_drift", "params": {"statistic": "wasserstein", "min_support": 20}},
    {"kind": "disagreement", "params": {"max_rate": 0.1, "min_support": 20}},
    {"kind": "label_free", "threshold": 0.5, "params": {"min_precision": 0.9}},
]
SCOPE = {"policy": "harassment", "enforcer": "clf@1", "challenger": "clf@2"}


def _traffic() -> Traffic:
    return Traffic(
        communities=12,
        per_day=25,
        days=15,
        surge={"c3": 4.0},
        base_rate=0.2,
        evasion={"c1", "c5"},
        canary_flip={"c7": 0.5},
    )


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with store.connect() as conn:
        for table in (monitor_rollup_counts, monitor_rollup_scores, monitor_rollup_pairs):
            keys = [c for c in table.primary_key.columns]
            rows = conn.execute(select(table).order_by(*keys)).all()
            out[table.name] = [
                tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows
            ]
    return out


def _fired(report: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (r.check, r.segment, r.statistic, round(r.value, 9), r.p_value and round(r.p_value, 9))
        for r in report.fired
    )


def test_split_window_keeps_whole_days_and_raw_edges() -> None:
    day = datetime(2026, 11, 20, tzinfo=UTC)
    n = (date(2026, 11, 20) - date(1970, 1, 1)).days  # UTC epoch day, counted independently
    assert split_window(day - timedelta(days=2), day) == ((n - 2, n), [])
    days, edges = split_window(day - timedelta(hours=30), day + timedelta(hours=6))
    assert days == (n - 1, n)
    assert edges == [
        (day - timedelta(hours=30), day - timedelta(days=1)),
        (day, day + timedelta(hours=6)),
    ]
    assert split_window(day + timedelta(hours=1), day + timedelta(hours=5)) == (
        None,
        [(day + timedelta(hours=1), day + timedelta(hours=5))],
    )


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(hours=7, minutes=30)])
def test_every_check_reads_the_same_from_rollups_as_from_the_raw_log(
    store: Store, offset: timedelta
) -> None:
    seed(store, _traffic())
    record_decision_features(store)
    at = AT + offset
    ref = WindowQuery(start=at - timedelta(days=13), end=at - timedelta(days=1), **SCOPE)
    cur = WindowQuery(start=at - timedelta(days=1), end=at, **SCOPE)
    # loaded around the decide path: the roll-ups are empty, so monitors read the raw log
    assert not rollups_current(store, [ref, cur])
    with store.begin() as conn:
        assert rebuild_rollups(conn) == 12 * 25 * 15
    assert rollups_current(store, [ref, cur])

    sets = [("remove",), ("remove", "review")]
    decision_level = {"enforcer": None, "policy": None}
    pairs = [
        (ref, cur),
        (ref.model_copy(update=decision_level), cur.model_copy(update=decision_level)),
    ]
    for scope, other in pairs:
        kw = {
            "action_sets": sets,
            "features": True,
            "bins": ROLLUP_BINS if scope.enforcer else None,
        }
        raw = fetch_window_table(store, scope, other, **kw)
        rolled = rollup_window_table(store, scope, other, **kw)
        assert rolled.model_dump(exclude={"sql"}) == raw.model_dump(exclude={"sql"})
        assert sum(raw.n) > 0 and any(raw.events["evasion"])
    assert rollup_disagreement(store, cur)[:4] == fetch_disagreement(store, cur)[:4]
    assert sum(fetch_disagreement(store, cur)[2]) > 0  # the flipped canary disagrees
    raw_sums = fetch_score_sums(store, cur, threshold=0.5)[0]
    rolled_sums = rollup_score_sums(store, cur, threshold=0.5)[0]
    assert rolled_sums == pytest.approx(raw_sums, rel=1e-12)
    assert rolled_sums["n_flagged"] == raw_sums["n_flagged"] > 0

    config = MonitorConfig.model_validate(
        {
            "name": "all",
            "scope": SCOPE,
            "windows": {"current": "24h", "reference": "12d"},
            "checks": CHECKS,
        }
    )
    raw_report = run_monitor(store, config, at=at, source="raw")
    auto_report = run_monitor(store, config, at=at)
    assert (raw_report.source, auto_report.source) == ("raw", "rollups")
    assert auto_report.results == raw_report.results > 0
    assert _fired(auto_report) == _fired(raw_report)
    wanted = {"evasion_share", "disagreement"} | ({"action_rate"} if not offset else set())
    assert {r.check for r in raw_report.fired} >= wanted  # the comparison covers real alerts


def _simulated_log(store: Store, tmp_path: Path) -> tuple[Any, Any]:
    """A simulated decision log (recorded enforcers, shared data): its spec and plan."""
    from tests.monitor.test_simulate import ETHOS, _deploy_recorded, _spec

    if not ETHOS.is_file():
        pytest.skip("shared data not present")
    from modgate.monitor import prepare_plan, run_simulation

    spec = _spec()
    plan = prepare_plan(spec)
    _deploy_recorded(store, tmp_path, [(p.item.id, p.violating) for p in plan.items])
    run_simulation(store, spec, workspace=tmp_path, actor="t", plan=plan)
    return spec, plan


def test_decide_maintains_rollups_idempotently_and_rebuild_equals_them(
    store: Store, tmp_path: Path
) -> None:
    from modgate.monitor import run_simulation
    from tests.monitor.test_simulate import START

    spec, plan = _simulated_log(store, tmp_path)
    incremental = _snapshot(store)
    assert sum(r[5] for r in incremental["monitor_rollup_counts"] if r[3] == "") == len(plan.items)
    assert incremental["monitor_rollup_pairs"]  # canary and shadow beside the active arm
    # a replay writes no decision, so it adds nothing to the roll-ups
    again = run_simulation(store, spec, workspace=tmp_path, actor="t", plan=plan)
    assert again.decisions == len(plan.items)  # the same decision ids were offered again…
    with store.connect() as conn:  # …and the database kept one row for each
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == len(plan.items)
    assert _snapshot(store) == incremental
    with store.begin() as conn:
        rebuild_rollups(conn)
    assert _snapshot(store) == incremental

    config = MonitorConfig.model_validate(
        {
            "name": "sim",
            "scope": {"policy": "hate@1", "enforcer": "cand@1", "challenger": "prev@1"},
            "windows": {"current": "24h", "reference": "4d"},
            "checks": [c for c in CHECKS if c["kind"] != "label_free"]
            + [{"kind": "label_free", "threshold": 0.8, "params": {"min_precision": 0.9}}],
        }
    )
    for at in (START + timedelta(days=6), START + timedelta(days=5, hours=13)):
        auto = run_monitor(store, config, at=at)
        raw = run_monitor(store, config, at=at, source="raw")
        assert auto.source == "rollups"
        assert auto.results == raw.results > 0
        assert _fired(auto) == _fired(raw)


def test_apply_rollups_of_the_whole_log_at_once_equals_the_increments(
    store: Store, tmp_path: Path
) -> None:
    from modgate.store import apply_rollups

    _, plan = _simulated_log(store, tmp_path)
    incremental = _snapshot(store)
    with store.begin() as conn:
        for table in (monitor_rollup_counts, monitor_rollup_scores, monitor_rollup_pairs):
            conn.execute(table.delete())
        ids = list(conn.execute(select(decisions.c.decision_id)).scalars())
        # every id twice: counted once; on PostgreSQL all statements in one pipeline
        assert apply_rollups(conn, ids + ids) == len(ids) == len(plan.items)
    assert _snapshot(store) == incremental
