"""Monitor aggregates from the roll-ups: whole UTC days from the roll-up tables, edges raw.

A window `[start, end)` splits into the whole roll-up buckets inside it (read from
`monitor_rollup_*`, a few rows per community and day) and at most two partial-day edges, read
from the decision log by the raw queries of `_repo` (an indexed time range). The sums are the raw
queries' results over the whole window — exactly for counts and histograms, up to float rounding
for the label-free sums (see docs/monitor.md). `rollups_current` guards against roll-ups that
miss decisions (a bulk import without `modgate monitor rebuild-rollups`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, literal, select

from modgate.monitor._repo import (
    WindowQuery,
    WindowSlots,
    WindowTable,
    _split_ref,
    fetch_disagreement,
    fetch_score_sums,
    fetch_window_table,
    policy_matches,
    render_sql,
)
from modgate.store import (
    ROLLUP_ACTIONS,
    ROLLUP_BINS,
    ROLLUP_SECONDS,
    Store,
    decision_features,
    decisions,
    monitor_rollup_counts,
    monitor_rollup_pairs,
    monitor_rollup_scores,
)

Interval = tuple[datetime, datetime]


def _at(day: int) -> datetime:
    return datetime.fromtimestamp(day * ROLLUP_SECONDS, UTC)


def split_window(start: datetime, end: datetime) -> tuple[tuple[int, int] | None, list[Interval]]:
    """(whole buckets `[lo, hi)` inside the window or None, the partial edges to read raw)."""
    lo = math.ceil(start.timestamp() / ROLLUP_SECONDS)
    hi = math.floor(end.timestamp() / ROLLUP_SECONDS)
    if lo >= hi:
        return None, [(start, end)] if start < end else []
    edges = []
    if start < _at(lo):
        edges.append((start, _at(lo)))
    if _at(hi) < end:
        edges.append((_at(hi), end))
    return (lo, hi), edges


def _scope(table: Any, q: WindowQuery, days: tuple[int, int]) -> list[Any]:
    """Roll-up rows of a window's whole days and a monitor's scope (decision or verdict level)."""
    where = [table.c.day >= days[0], table.c.day < days[1]]
    if q.enforcer is not None:
        name, version = _split_ref(q.enforcer)
        where += [table.c.enforcer == name, table.c.enforcer_version == version]
        if q.policy is not None:
            where.append(policy_matches(table.c.policy, q.policy))
    else:
        where.append(table.c.enforcer == "")
    if q.communities is not None:
        where.append(table.c.community.in_(q.communities))
    return where


def _segment(table: Any, q: WindowQuery) -> Any:
    return (table.c.community if q.by_community else literal("*")).label("segment")


def _edge(q: WindowQuery, edge: Interval) -> WindowQuery:
    return q.model_copy(update={"start": edge[0], "end": edge[1]})


def rollups_current(store: Store, windows: Sequence[WindowQuery]) -> bool:
    """Whether the roll-ups count every decision and feature of the windows' whole days.

    Two indexed counts per window (decisions and features by time) against the roll-ups'
    decision-level sums; a mismatch (decisions loaded around the decide path) sends the run to
    the raw log.
    """
    rc = monitor_rollup_counts
    with store.connect() as conn:
        for q in windows:
            days, _edges = split_window(q.start, q.end)
            if days is None:
                continue
            start, end = _at(days[0]), _at(days[1])
            rolled = conn.execute(
                select(
                    func.coalesce(func.sum(rc.c.n), 0), func.coalesce(func.sum(rc.c.n_featured), 0)
                ).where(rc.c.day >= days[0], rc.c.day < days[1], rc.c.enforcer == "")
            ).one()
            logged = conn.execute(
                select(func.count()).where(
                    decisions.c.decided_at >= start, decisions.c.decided_at < end
                )
            ).scalar_one()
            featured = conn.execute(
                select(func.count()).where(
                    decision_features.c.decided_at >= start, decision_features.c.decided_at < end
                )
            ).scalar_one()
            if int(rolled[0]) != int(logged) or int(rolled[1]) != int(featured):
                return False
    return True


def rollup_window_table(
    store: Store,
    ref: WindowQuery,
    cur: WindowQuery,
    *,
    action_sets: Sequence[Sequence[str]],
    features: bool,
    bins: int | None,
) -> WindowTable:
    """`fetch_window_table`'s result, from the roll-ups (whole days) and the raw edges."""
    if bins is not None and bins != ROLLUP_BINS:
        raise ValueError(f"the roll-ups keep {ROLLUP_BINS} score bins, not {bins}")
    use_bins = bins is not None and cur.enforcer is not None
    width = bins or 1
    slots = WindowSlots(action_sets, width)
    slot = slots.slot

    sql: list[str] = []
    rc, rs = monitor_rollup_counts, monitor_rollup_scores
    for win, q in enumerate((ref, cur)):
        days, edges = split_window(q.start, q.end)
        if days is not None:
            seg = _segment(rc, q)
            stmt = (
                select(
                    seg,
                    func.sum(rc.c.n).label("n"),
                    *[func.sum(rc.c[f"n_{a}"]).label(f"n_{a}") for a in ROLLUP_ACTIONS],
                    func.sum(rc.c.n_featured).label("nf"),
                    func.sum(rc.c.n_evasion).label("ev"),
                    func.sum(rc.c.n_caught).label("ca"),
                )
                .where(and_(*_scope(rc, q, days)))
                .group_by(seg)
            )
            with store.connect() as conn:
                for r in conn.execute(stmt):
                    s = slot(str(r.segment), win)
                    s["n"] += int(r.n)
                    for j, acts in enumerate(action_sets):
                        s["a"][j] += sum(int(getattr(r, f"n_{a}") or 0) for a in acts)
                    if features:
                        s["nf"] += int(r.nf or 0)
                        s["ev"] += int(r.ev or 0)
                        s["ca"] += int(r.ca or 0)
                if use_bins:
                    hseg = _segment(rs, q)
                    hstmt = (
                        select(hseg, rs.c.bin, func.sum(rs.c.n).label("n"))
                        .where(and_(*_scope(rs, q, days)))
                        .group_by(hseg, rs.c.bin)
                    )
                    for r in conn.execute(hstmt):
                        slot(str(r.segment), win)["h"][min(max(int(r.bin), 0), width - 1)] += int(
                            r.n
                        )
                    sql.append(render_sql(store, hstmt))
            sql.append(render_sql(store, stmt))
        for edge in edges:
            empty = _edge(q, (edge[0], edge[0]))
            part = fetch_window_table(
                store, empty, _edge(q, edge), action_sets=action_sets, features=features, bins=bins
            )
            sql.append(part.sql)
            for i, segment in enumerate(part.segments):
                s = slot(segment, win)
                s["n"] += part.n[i]
                for j, acts in enumerate(action_sets):
                    s["a"][j] += part.events["action:" + ",".join(acts)][i]
                if features:
                    s["nf"] += part.n_featured[i]
                    s["ev"] += part.events["evasion"][i]
                    s["ca"] += part.events["caught_after_normalization"][i]
                if use_bins and part.histograms is not None:
                    s["h"] = [x + y for x, y in zip(s["h"], part.histograms[i], strict=True)]
    return slots.table(features=features, histograms=use_bins, sql=";\n".join(sql))


def rollup_disagreement(
    store: Store, q: WindowQuery
) -> tuple[list[str], list[int], list[int], list[int], str]:
    """`fetch_disagreement`'s result from `monitor_rollup_pairs` (whole days) and raw edges.

    The roll-up has no pair of a verdict with itself: a challenger equal to the enforcer is
    read raw by the caller.
    """
    if q.challenger is None or q.enforcer is None:
        return fetch_disagreement(store, q)
    rp = monitor_rollup_pairs
    days, edges = split_window(q.start, q.end)
    acc: dict[str, list[int]] = {}
    sql: list[str] = []
    if days is not None:
        name, version = _split_ref(q.challenger)
        where = _scope(rp, q, days) + [rp.c.c_enforcer == name, rp.c.c_version == version]
        if q.policy is not None:
            where.append(policy_matches(rp.c.c_policy, q.policy))
        else:
            where.append(rp.c.c_policy == rp.c.policy)
        seg = _segment(rp, q)
        stmt = (
            select(
                seg,
                func.sum(rp.c.n).label("n"),
                func.sum(rp.c.only_active).label("a"),
                func.sum(rp.c.only_challenger).label("c"),
            )
            .where(and_(*where))
            .group_by(seg)
        )
        with store.connect() as conn:
            for r in conn.execute(stmt):
                acc[str(r.segment)] = [int(r.n), int(r.a or 0), int(r.c or 0)]
        sql.append(render_sql(store, stmt))
    for edge in edges:
        segs, n, a, c, text = fetch_disagreement(store, _edge(q, edge))
        sql.append(text)
        for i, segment in enumerate(segs):
            row = acc.setdefault(segment, [0, 0, 0])
            row[0] += n[i]
            row[1] += a[i]
            row[2] += c[i]
    keys = [k for k in sorted(acc) if acc[k][0]]
    return (
        keys,
        [acc[k][0] for k in keys],
        [acc[k][1] for k in keys],
        [acc[k][2] for k in keys],
        ";\n".join(sql),
    )


def bin_aligned(threshold: float) -> bool:
    """Whether a threshold falls on an inner edge of the roll-up's score bins."""
    k = threshold * ROLLUP_BINS
    return 0 < round(k) < ROLLUP_BINS and math.isclose(k, round(k), abs_tol=1e-9)


def rollup_score_sums(
    store: Store, q: WindowQuery, *, threshold: float
) -> tuple[dict[str, float], str]:
    """`fetch_score_sums`'s result from the score bins (a bin-aligned threshold) and raw edges."""
    if not bin_aligned(threshold):
        raise ValueError(f"threshold {threshold} is not on a roll-up bin edge (1/{ROLLUP_BINS})")
    k = round(threshold * ROLLUP_BINS)
    rs = monitor_rollup_scores
    days, edges = split_window(q.start, q.end)
    out = {
        "n": 0,
        "n_flagged": 0,
        "sum_flagged": 0.0,
        "sum_sq_flagged": 0.0,
        "sum_unflagged": 0.0,
        "sum_sq_unflagged": 0.0,
    }
    sql: list[str] = []
    if days is not None:
        hi = rs.c.bin >= k
        stmt = (
            select(
                hi.label("hi"),
                func.sum(rs.c.n),
                func.sum(rs.c.sum_score),
                func.sum(rs.c.sum_score_sq),
            )
            .where(and_(*_scope(rs, q, days)))
            .group_by(hi)
        )
        with store.connect() as conn:
            for flagged, n, s1, s2 in conn.execute(stmt):
                out["n"] += int(n)
                if flagged:
                    out["n_flagged"] += int(n)
                    out["sum_flagged"] += float(s1)
                    out["sum_sq_flagged"] += float(s2)
                else:
                    out["sum_unflagged"] += float(s1)
                    out["sum_sq_unflagged"] += float(s2)
        sql.append(render_sql(store, stmt))
    for edge in edges:
        part, text = fetch_score_sums(store, _edge(q, edge), threshold=threshold)
        sql.append(text)
        for key, value in part.items():
            out[key] += value
    return out, ";\n".join(sql)
