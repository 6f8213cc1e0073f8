"""`run_monitor`: evaluate a monitor file over the decision log, store findings, raise alerts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from modgate.errors import ValidationError
from modgate.monitor._checks import (
    CheckResult,
    DriftTest,
    MonitorCheck,
    ScoreSums,
    SegmentCounts,
    SegmentDisagreement,
    SegmentHistograms,
    TermWindow,
)
from modgate.monitor._config import CheckConfig, MonitorConfig, load_monitors
from modgate.monitor._drift import DEFAULT_BINS
from modgate.monitor._notify import RetryPolicy, Sender, deliver_pending, post_json
from modgate.monitor._repo import (
    WindowQuery,
    create_delivery,
    deployment_link,
    fetch_disagreement,
    fetch_histograms,
    fetch_rates,
    fetch_score_sums,
    fetch_texts,
    fetch_window_table,
    upsert_alert,
    write_findings,
)
from modgate.monitor._rollback import AutoRollback, auto_rollback
from modgate.monitor._rollup_read import (
    bin_aligned,
    rollup_disagreement,
    rollup_score_sums,
    rollup_window_table,
    rollups_current,
)
from modgate.registry import Registry, Spec, create_registry
from modgate.store import ROLLUP_BINS, Store

Source = Literal["auto", "rollups", "raw"]
"""Where a run reads its aggregates: the roll-ups when current (`auto`), always, or never."""

DEFAULT_MEASURES = {
    "action_rate": "action",
    "policy_impact": "action",
    "evasion_share": "evasion",
    "caught_after_normalization": "caught_after_normalization",
    "overturn_rate": "overturn",
    "volume_surge": "action",  # reads the decisions per segment (n), whatever the events
}
"""What each built-in rate check counts when its entry names no `measure`."""


class RaisedAlert(BaseModel):
    """An alert a run raised or updated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert_id: int
    """Alert id."""
    new: bool
    """New (delivered) or a recurrence of a live alert (deduplicated)."""
    monitor: str
    """Monitor name."""
    check: str
    """Check name."""
    segment: str
    """Segment."""
    severity: str
    """Severity."""
    title: str
    """Summary line."""
    deployment_id: str | None = None
    """The deployment that changed near the alert's start (its likely cause), if any."""


class MonitorRunReport(BaseModel):
    """What one run of one monitor found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    """Id of the run (findings carry it)."""
    monitor: str
    """Monitor name."""
    at: datetime
    """Run time (the current window's end)."""
    window: tuple[datetime, datetime]
    """Current window."""
    reference: tuple[datetime, datetime]
    """Reference window."""
    results: int
    """Segment results computed over all checks."""
    fired: list[CheckResult]
    """Results that fired."""
    alerts: list[RaisedAlert]
    """Alerts raised or updated."""
    delivered: int
    """Webhook deliveries that succeeded in this run."""
    failing: int
    """Webhook deliveries still failing (kept, retried by the next run)."""
    rollbacks: list[AutoRollback] = []
    """Automatic rollbacks (monitors with `auto_rollback: true`), done or refused."""
    source: str = "raw"
    """`rollups` (whole days from the roll-ups, edges raw) or `raw` (the decision log)."""


def _title(monitor: str, r: CheckResult) -> str:
    where = "" if r.segment == "*" else f" in {r.segment}"
    q = f", q={r.q_value:.2g}" if r.q_value is not None else ""
    return f"{monitor}: {r.check}{where}: {r.statistic}={r.value:.4g}{q}"


def _make_check(registry: Registry, entry: CheckConfig) -> MonitorCheck:
    params = dict(entry.params)
    if entry.kind == "score_drift" and "test" not in params:
        stat = str(params.get("statistic", "psi"))
        test = registry.create(Spec(kind="drift_test", name=stat), object)
        if not isinstance(test, DriftTest):
            raise ValidationError(f"drift test {stat!r} is not callable as a DriftTest")
        params["test"] = test
        params["statistic"] = stat
    check = registry.create(Spec(kind="monitor_check", name=entry.kind, params=params), object)
    if not isinstance(check, MonitorCheck):
        raise ValidationError(f"check {entry.kind!r} does not implement MonitorCheck")
    return check


def _aggregates(
    store: Store,
    check: MonitorCheck,
    entry: CheckConfig,
    ref: WindowQuery,
    cur: WindowQuery,
    *,
    rollups: bool = False,
) -> tuple[Any, Any, dict[str, Any]]:
    kind = check.input_kind
    if kind == "rates":
        measure = entry.measure or DEFAULT_MEASURES.get(entry.kind, "action")
        out = []
        sql = {}
        for name, q in (("reference", ref), ("current", cur)):
            segs, k, n, text = fetch_rates(store, q, measure=measure, actions=entry.actions)
            out.append(SegmentCounts(segments=segs, k=k, n=n))
            sql[name] = text
        return out[0], out[1], {"measure": measure, "actions": entry.actions, "sql": sql}
    if kind == "histograms":
        bins = int(entry.params.get("bins", DEFAULT_BINS))
        out_h = []
        sql = {}
        for name, q in (("reference", ref), ("current", cur)):
            segs, counts, text = fetch_histograms(store, q, bins=bins)
            out_h.append(SegmentHistograms(segments=segs, counts=counts))
            sql[name] = text
        return out_h[0], out_h[1], {"sql": sql}
    if kind == "disagreement":
        # the pair roll-up holds no verdict paired with itself (challenger = enforcer)
        paired = rollups and cur.challenger is not None and cur.challenger != cur.enforcer
        fetch = rollup_disagreement if paired else fetch_disagreement
        segs, n, a, c, text = fetch(store, cur)
        current = SegmentDisagreement(segments=segs, n=n, only_active=a, only_challenger=c)
        return None, current, {"sql": {"current": text}}
    if kind == "terms":
        out_t = []
        sql = {}
        for name, q in (("reference", ref), ("current", cur)):
            ids, texts, text = fetch_texts(store, q, limit=entry.max_texts)
            out_t.append(TermWindow(texts=texts, ids=ids))
            sql[name] = text
        return out_t[0], out_t[1], {"sql": sql, "max_texts": entry.max_texts}
    if kind == "scores":
        if entry.threshold is None:
            raise ValidationError(f"check {entry.kind!r} needs `threshold`")
        if rollups and bin_aligned(entry.threshold):
            sums, text = rollup_score_sums(store, cur, threshold=entry.threshold)
        else:
            sums, text = fetch_score_sums(store, cur, threshold=entry.threshold)
        return None, ScoreSums(threshold=entry.threshold, **sums), {"sql": {"current": text}}
    raise ValidationError(f"check {entry.kind!r} asks for unknown input {kind!r}")


def _cache_key(entry: CheckConfig, check: MonitorCheck) -> tuple[Any, ...]:
    measure = entry.measure or DEFAULT_MEASURES.get(entry.kind, "action")
    if check.input_kind == "rates":
        return ("rates", measure, tuple(entry.actions) if measure == "action" else ())
    if check.input_kind == "histograms":
        return ("histograms", int(entry.params.get("bins", DEFAULT_BINS)))
    return (check.input_kind, measure, entry.max_texts, entry.threshold)


def _prefetch(
    store: Store,
    checks: list[tuple[CheckConfig, MonitorCheck]],
    ref: WindowQuery,
    cur: WindowQuery,
    cache: dict[tuple[Any, ...], tuple[Any, Any, dict[str, Any]]],
    *,
    rollups: bool = False,
) -> None:
    """Fill the cache for the rate and drift checks with one scan of both windows.

    With `rollups`, the whole days come from the roll-up tables and only the windows' partial
    edges from the decision log (score bins other than the roll-up's read the log).
    """
    keys = {_cache_key(e, c) for e, c in checks}
    rate_keys = [k for k in keys if k[0] == "rates" and k[1] != "overturn"]
    bin_sizes = {k[1] for k in keys if k[0] == "histograms"}
    if not rate_keys and not bin_sizes:
        return
    action_sets = sorted({k[2] for k in rate_keys if k[1] == "action"})
    features = any(k[1] in ("evasion", "caught_after_normalization") for k in rate_keys)
    bins = next(iter(bin_sizes)) if len(bin_sizes) == 1 else None
    fetch = (
        rollup_window_table
        if rollups and (bins is None or bins == ROLLUP_BINS)
        else fetch_window_table
    )
    table = fetch(store, ref, cur, action_sets=action_sets, features=features, bins=bins)
    context_sql = {"reference_and_current": table.sql}

    def counts(window: int, events: list[int], denominators: list[int]) -> SegmentCounts:
        idx = [i for i, w in enumerate(table.window) if w == window and denominators[i] > 0]
        return SegmentCounts(
            segments=[table.segments[i] for i in idx],
            k=[events[i] for i in idx],
            n=[denominators[i] for i in idx],
        )

    for key in rate_keys:
        measure = key[1]
        if measure == "action":
            events = table.events["action:" + ",".join(key[2])]
            denominators = table.n
        else:
            events = table.events[measure]
            denominators = table.n_featured
        context = {"measure": measure, "actions": list(key[2]), "sql": context_sql}
        cache[key] = (counts(0, events, denominators), counts(1, events, denominators), context)
    if bins is not None and table.histograms is not None:
        hist = table.histograms
        ref_h = SegmentHistograms(
            segments=[s for s, w in zip(table.segments, table.window, strict=True) if w == 0],
            counts=[h for h, w in zip(hist, table.window, strict=True) if w == 0],
        )
        cur_h = SegmentHistograms(
            segments=[s for s, w in zip(table.segments, table.window, strict=True) if w == 1],
            counts=[h for h, w in zip(hist, table.window, strict=True) if w == 1],
        )
        cache[("histograms", bins)] = (ref_h, cur_h, {"sql": context_sql})


def run_monitor(
    store: Store,
    config: MonitorConfig,
    *,
    at: datetime | None = None,
    registry: Registry | None = None,
    sender: Sender = post_json,
    retry: RetryPolicy | None = None,
    source: Source = "auto",
) -> MonitorRunReport:
    """Evaluate one monitor at `at` (default now), store findings, raise deduplicated alerts.

    Aggregates come from the roll-ups (`source="auto"`, when `rollups_current` says they count
    every decision of the windows' whole days; else from the decision log) — the same results,
    see docs/monitor.md; `source="raw"` or `"rollups"` forces one.

    Every fired result is stored as a finding with its evidence (figures, windows, examples and
    the SQL of its aggregate), plus one summary finding per check (segment `*`, not fired
    unless the check is scope-wide). A fired result raises an alert unless one is live for the
    same (monitor, check, segment), which is updated instead. New alerts are queued to the
    monitor's webhooks and delivered with retries; failures stay queued.

    Raises:
        ValidationError: The monitor asks for data its scope lacks (e.g. scores without an
            enforcer), or an unknown check.
    """
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValidationError("--at needs a time zone (or is taken as UTC by the CLI)")
    reg = registry or create_registry()
    ref_start, ref_end, cur_start, cur_end = config.windows.bounds(when)
    scope = config.scope
    common = {
        "policy": scope.policy,
        "enforcer": scope.enforcer,
        "challenger": scope.challenger,
        "communities": scope.communities,
        "by_community": scope.segment_by == "community",
    }
    ref_q = WindowQuery(start=ref_start, end=ref_end, **common)
    cur_q = WindowQuery(start=cur_start, end=cur_end, **common)
    run_id = uuid.uuid4().hex
    windows = {
        "reference": [ref_start.isoformat(), ref_end.isoformat()],
        "current": [cur_start.isoformat(), cur_end.isoformat()],
    }
    all_fired: list[CheckResult] = []
    rows: list[dict[str, Any]] = []
    pending: list[tuple[CheckResult, str]] = []
    total = 0
    cache: dict[tuple[Any, ...], tuple[Any, Any, dict[str, Any]]] = {}
    checks = [(entry, _make_check(reg, entry)) for entry in config.checks]
    if source not in ("auto", "rollups", "raw"):
        raise ValidationError(f"source must be auto, rollups or raw, not {source!r}")
    rollups = source == "rollups" or (source == "auto" and rollups_current(store, [ref_q, cur_q]))
    source_name = "rollups" if rollups else "raw"
    _prefetch(store, checks, ref_q, cur_q, cache, rollups=rollups)
    for entry, check in checks:
        # checks asking for the same aggregate (four drift statistics, two rate checks on
        # actions) share one query per window
        key = _cache_key(entry, check)
        if key not in cache:
            cache[key] = _aggregates(store, check, entry, ref_q, cur_q, rollups=rollups)
        reference, current, context = cache[key]
        results = check.evaluate(reference, current)
        total += len(results)
        fired = [r for r in results if r.fired]
        severity: str = entry.severity or config.severity
        base = {
            "run_id": run_id,
            "monitor": config.name,
            "monitor_hash": config.content_hash(),
            "window_start": cur_start,
            "window_end": cur_end,
            "reference_start": ref_start,
            "reference_end": ref_end,
            "run_at": when,
        }
        for r in fired:
            evidence = {**r.evidence, "windows": windows, "source": source_name, **context}
            rows.append(
                {
                    **base,
                    "check_name": r.check,
                    "segment": r.segment,
                    "statistic": r.statistic,
                    "value": r.value,
                    "p_value": r.p_value,
                    "q_value": r.q_value,
                    "fired": True,
                    "evidence": evidence,
                }
            )
            pending.append((r.model_copy(update={"evidence": evidence}), severity))
        if not any(r.segment == "*" for r in results):
            rows.append(
                {
                    **base,
                    "check_name": entry.kind,
                    "segment": "*",
                    "statistic": "segments_fired",
                    "value": float(len(fired)),
                    "p_value": None,
                    "q_value": None,
                    "fired": False,
                    "evidence": {"segments": len(results), "fired": len(fired), **context},
                }
            )
        all_fired.extend(fired)
    raised: list[RaisedAlert] = []
    with store.begin() as conn:
        write_findings(conn, rows)
        link = (
            deployment_link(conn, policy=scope.policy, window_start=cur_start, window_end=cur_end)
            if pending
            else None
        )
        for r, severity in pending:
            title = _title(config.name, r)
            alert, new = upsert_alert(
                conn,
                monitor=config.name,
                check=r.check,
                segment=r.segment,
                severity=severity,
                title=title,
                evidence={
                    **r.evidence,
                    "statistic": r.statistic,
                    "value": r.value,
                    "p_value": r.p_value,
                    "q_value": r.q_value,
                },
                at=when,
                deployment=link,
            )
            raised.append(
                RaisedAlert(
                    alert_id=alert.id,
                    new=new,
                    monitor=config.name,
                    check=r.check,
                    segment=r.segment,
                    severity=alert.severity,
                    title=title,
                    deployment_id=alert.deployment_id,
                )
            )
            if new:
                payload = {
                    "alert_id": alert.id,
                    "monitor": config.name,
                    "check": r.check,
                    "segment": r.segment,
                    "severity": alert.severity,
                    "title": title,
                    "deployment_id": alert.deployment_id,
                    "evidence": alert.evidence,
                }
                for target in config.notify:
                    create_delivery(
                        conn, alert_id=alert.id, target=target, payload=payload, at=when
                    )
    delivered, failing = deliver_pending(store, sender=sender, policy=retry)
    rollbacks = (
        auto_rollback(
            store,
            config,
            list(dict.fromkeys(a.alert_id for a in raised if a.severity == "critical")),
            at=when,
        )
        if config.auto_rollback
        else []
    )
    return MonitorRunReport(
        run_id=run_id,
        monitor=config.name,
        at=when,
        window=(cur_start, cur_end),
        reference=(ref_start, ref_end),
        results=total,
        fired=all_fired,
        alerts=raised,
        delivered=delivered,
        failing=failing,
        rollbacks=rollbacks,
        source=source_name,
    )


def run_monitors(
    store: Store,
    directory: Path,
    *,
    names: list[str] | None = None,
    at: datetime | None = None,
    registry: Registry | None = None,
    sender: Sender = post_json,
    retry: RetryPolicy | None = None,
    source: Source = "auto",
) -> list[MonitorRunReport]:
    """Run the monitor files of a folder (`monitors/`), all or some by name, at one time.

    Raises:
        ValidationError: A monitor file is invalid, a named one is missing, or the folder holds
            none.
    """
    configs = load_monitors(directory, names)
    if not configs:
        raise ValidationError(
            f"no monitor files in {directory}", hint="add monitors/NAME.yaml (docs/monitor.md)"
        )
    reg = registry or create_registry()
    when = at or datetime.now(UTC)
    return [
        run_monitor(store, c, at=when, registry=reg, sender=sender, retry=retry, source=source)
        for c in configs
    ]
