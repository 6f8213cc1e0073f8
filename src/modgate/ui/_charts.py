"""The UI's operational figures (Vega-Lite through Altair): action rates and drift.

Action rates over time carry alert and deployment markers; drift compares two windows' score
histograms.

Pure: records in, Vega-Lite spec dicts out; the browser draws them with the vendored vega-embed.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from modgate.monitor import AlertRecord
from modgate.release import ActionCount, Deployment

Spec = dict[str, Any]


def _alt() -> Any:
    import altair as alt  # heavy: loaded on first figure

    return alt


def action_rates(counts: Sequence[ActionCount]) -> list[dict[str, Any]]:
    """Share of each action among the decisions of its (bucket, policy, arm), with counts."""
    totals: dict[tuple[datetime, str, str], int] = defaultdict(int)
    for c in counts:
        totals[(c.bucket, c.policy, c.arm)] += c.count
    return [
        {
            "bucket": c.bucket.isoformat(),
            "policy": c.policy,
            "arm": c.arm,
            "action": c.action,
            "count": c.count,
            "total": totals[(c.bucket, c.policy, c.arm)],
            "rate": c.count / totals[(c.bucket, c.policy, c.arm)],
        }  # fmt: skip
        for c in counts
    ]


@cache
def _template_actions() -> Spec:
    alt = _alt()
    lines = (
        alt.Chart(alt.NamedData("rates"))
        .mark_line(point=True)
        .encode(
            x=alt.X("bucket:T", title=None),
            y=alt.Y("rate:Q", title="share of decisions", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("action:N"),
            strokeDash=alt.StrokeDash("arm:N"),
            tooltip=[
                "bucket:T",
                "arm:N",
                "action:N",
                "count:Q",
                "total:Q",
                alt.Tooltip("rate:Q", format=".3f"),
            ],  # fmt: skip
        )
    )
    marks = (
        alt.Chart(alt.NamedData("marks"))
        .mark_rule(strokeWidth=2)
        .encode(
            x="at:T",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["deployment", "alert"], range=["#393", "#c33"]),
                legend=alt.Legend(title="marker"),
            ),  # fmt: skip
            tooltip=["at:T", "what:N"],
        )
    )
    chart = alt.layer(lines, marks).resolve_scale(color="independent")
    return dict(chart.properties(width=640, height=200).to_dict(validate=False))


def actions_over_time_chart(
    counts: Sequence[ActionCount],
    policy: str,
    *,
    alerts: Sequence[AlertRecord] = (),
    deployments: Sequence[Deployment] = (),
) -> Spec:
    """Action rates of one policy per arm over time; deployments and alerts as vertical rules."""
    rows = [r for r in action_rates(counts) if r["policy"] == policy]
    marks = [
        {
            "at": d.created_at.isoformat(),
            "what": f"deploy: {d.change} {d.enforcer or ''}".strip(),
            "kind": "deployment",
        }  # fmt: skip
        for d in deployments
        if d.policy == policy
    ] + [
        {"at": a.first_seen_at.isoformat(), "what": f"alert: {a.title}", "kind": "alert"}
        for a in alerts
    ]
    spec = copy.deepcopy(_template_actions())
    spec["datasets"] = {"rates": rows, "marks": marks}
    spec["title"] = f"{policy}: actions over time"
    return spec


@cache
def _template_drift() -> Spec:
    alt = _alt()
    chart = (
        alt.Chart(alt.NamedData("drift"))
        .mark_bar(opacity=0.6)
        .encode(
            x=alt.X("lower:Q", bin="binned", title="score"),
            x2="upper:Q",
            y=alt.Y("share:Q", stack=None, title="share of window"),
            color=alt.Color(
                "window:N", scale=alt.Scale(domain=["reference", "current"], range=["#999", "#c60"])
            ),  # fmt: skip
            tooltip=["window:N", "lower:Q", "count:Q", alt.Tooltip("share:Q", format=".3f")],
        )
        .properties(width=480, height=180)
    )
    return dict(chart.to_dict(validate=False))


def drift_chart(evidence: dict[str, Any], *, title: str = "Score drift") -> Spec | None:
    """Reference against current score distribution from a drift alert's evidence (or None)."""
    ref = evidence.get("reference_histogram")
    cur = evidence.get("current_histogram")
    if not isinstance(ref, list) or not isinstance(cur, list) or len(ref) != len(cur) or not ref:
        return None
    bins = len(ref)
    rows: list[dict[str, Any]] = []
    for window, hist in (("reference", ref), ("current", cur)):
        total = sum(hist) or 1
        rows.extend(
            {
                "lower": j / bins,
                "upper": (j + 1) / bins,
                "window": window,
                "share": hist[j] / total,
                "count": hist[j],
            }  # fmt: skip
            for j in range(bins)
        )
    spec = copy.deepcopy(_template_drift())
    spec["datasets"] = {"drift": rows}
    spec["title"] = title
    return spec


__all__ = ["action_rates", "actions_over_time_chart", "drift_chart"]
