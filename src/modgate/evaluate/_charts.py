"""Vega-Lite figures of an eval run, built with Altair (pure: figures in, specs out).

Each function returns a Vega-Lite spec as a dict; the web UI draws it in the browser with the
vendored vega-embed, and the HTML report renders it to inline SVG (`render_svg`) so the report
stays one file that works offline.

Altair builds each figure's layout once per process (`_template_*`, cached): its data is a named
dataset, filled per call in the spec's top-level `datasets`. Building the Altair objects costs
tens of milliseconds a figure; copying a cached spec and attaching rows costs microseconds, which
keeps the pages inside their time budget.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from modgate.evaluate._figures import GroupFigures
from modgate.evaluate._intervals import wilson_interval
from modgate.evaluate._predictions import PredictionRecord

Spec = dict[str, Any]

_WIDTH = 260


class CalibrationBin(BaseModel):
    """One bin of a reliability diagram."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lower: float
    """Bin's lower score edge."""
    upper: float
    """Bin's upper score edge."""
    count: int
    """Scored items in the bin."""
    mean_score: float
    """Mean score of those items (the predicted probability)."""
    observed: float
    """Share of them that are violating (gold)."""
    observed_lower: float
    """Wilson lower bound of `observed`."""
    observed_upper: float
    """Wilson upper bound of `observed`."""


def calibration_bins(
    scores: npt.ArrayLike, gold: npt.ArrayLike, *, bins: int = 10, confidence: float = 0.95
) -> list[CalibrationBin]:
    """Uniform-width reliability bins, binned as `sklearn.calibration.calibration_curve` does.

    Items with a missing (NaN) score are left out; empty bins are omitted.
    """
    s = np.asarray(scores, dtype=float)
    g = np.asarray(gold, dtype=bool)
    keep = ~np.isnan(s)
    s, g = s[keep], g[keep]
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], s)
    total = np.bincount(ids, minlength=bins)
    sums = np.bincount(ids, weights=s, minlength=bins)
    true = np.bincount(ids, weights=g.astype(float), minlength=bins)
    out: list[CalibrationBin] = []
    nonzero = np.flatnonzero(total)
    if nonzero.size == 0:
        return out
    lo, hi = wilson_interval(true[nonzero].round().astype(int), total[nonzero], confidence)
    for k, j in enumerate(nonzero):
        out.append(
            CalibrationBin(
                lower=float(edges[j]),
                upper=float(edges[j + 1]),
                count=int(total[j]),
                mean_score=float(sums[j] / total[j]),
                observed=float(true[j] / total[j]),
                observed_lower=float(lo[k]),
                observed_upper=float(hi[k]),
            )  # fmt: skip
        )
    return out


def score_histogram(
    scores: npt.ArrayLike, gold: npt.ArrayLike, *, bins: int = 20
) -> list[dict[str, Any]]:
    """Counts of scores in uniform bins over [0, 1], per gold class (`numpy.histogram` edges)."""
    s = np.asarray(scores, dtype=float)
    g = np.asarray(gold, dtype=bool)
    keep = ~np.isnan(s)
    s, g = s[keep], g[keep]
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows: list[dict[str, Any]] = []
    for label, mask in (("violating", g), ("non_violating", ~g)):
        counts, _ = np.histogram(s[mask], bins=edges)
        rows.extend(
            {
                "lower": float(edges[j]),
                "upper": float(edges[j + 1]),
                "gold": label,
                "count": int(counts[j]),
            }  # fmt: skip
            for j in range(bins)
        )
    return rows


def _alt() -> Any:
    import altair as alt  # heavy: loaded on first figure

    return alt


def interval_rows(
    groups: Sequence[GroupFigures], metrics: Sequence[str] = ("precision", "recall", "f1")
) -> list[dict[str, Any]]:
    """One row per (group, metric) with a value: point, interval bounds and support."""
    rows = []
    for g in groups:
        for m in g.metrics:
            if m.name in metrics and m.value is not None:
                rows.append(
                    {
                        "group": g.name,
                        "metric": m.name,
                        "value": m.value,
                        "lower": m.lower if m.lower is not None else m.value,
                        "upper": m.upper if m.upper is not None else m.value,
                        "support": m.support,
                        "low_support": m.low_support,
                    }  # fmt: skip
                )
    return rows


def _filled(template: Spec, title: str, **datasets: list[dict[str, Any]]) -> Spec:
    spec = copy.deepcopy(template)
    spec["datasets"] = datasets
    spec["title"] = title
    return spec


@cache
def _template_intervals(metrics: tuple[str, ...]) -> Spec:
    alt = _alt()
    data = alt.NamedData("rows")
    base = alt.Chart(data).encode(y=alt.Y("group:N", title=None, sort=None))
    rule = base.mark_rule(color="#9bd", strokeWidth=3).encode(
        x=alt.X("lower:Q", scale=alt.Scale(domain=[0, 1]), title=None), x2="upper:Q"
    )
    point = base.mark_point(filled=True, size=50).encode(
        x="value:Q",
        color=alt.Color(
            "low_support:N",
            scale=alt.Scale(domain=[False, True], range=["#036", "#c60"]),
            legend=alt.Legend(title="low support"),
        ),  # fmt: skip
        tooltip=[
            "group:N",
            "metric:N",
            alt.Tooltip("value:Q", format=".3f"),
            alt.Tooltip("lower:Q", format=".3f"),
            alt.Tooltip("upper:Q", format=".3f"),
            "support:Q",
        ],  # fmt: skip
    )
    chart = (
        alt.layer(rule, point, data=data)
        .properties(width=_WIDTH // 1.3)
        .facet(column=alt.Column("metric:N", title=None, sort=list(metrics)))
    )
    return dict(chart.to_dict(validate=False))


def slice_interval_chart(
    groups: Sequence[GroupFigures],
    metrics: Sequence[str] = ("precision", "recall", "f1"),
    *,
    title: str = "Figures with intervals per slice",
) -> Spec:
    """Point and interval of each metric per group (slices, bands), one panel per metric."""
    return _filled(_template_intervals(tuple(metrics)), title, rows=interval_rows(groups, metrics))


@cache
def _template_reliability() -> Spec:
    alt = _alt()
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        color="#bbb", strokeDash=[4, 4]
    ).encode(x="x:Q", y="y:Q")  # fmt: skip
    base = alt.Chart(alt.NamedData("bins")).encode(
        x=alt.X("mean_score:Q", scale=alt.Scale(domain=[0, 1]), title="mean score")
    )
    bars = base.mark_rule(color="#9bd", strokeWidth=2).encode(
        y=alt.Y("observed_lower:Q", scale=alt.Scale(domain=[0, 1]), title="observed violating"),
        y2="observed_upper:Q",
    )
    line = base.mark_line(point=True, color="#036").encode(
        y="observed:Q",
        tooltip=[
            alt.Tooltip("mean_score:Q", format=".3f"),
            alt.Tooltip("observed:Q", format=".3f"),
            "count:Q",
        ],  # fmt: skip
    )
    chart = alt.layer(diagonal, bars, line).properties(width=_WIDTH, height=_WIDTH)
    return dict(chart.to_dict(validate=False))


def reliability_chart(
    records: Sequence[PredictionRecord], *, bins: int = 10, title: str = "Reliability diagram"
) -> Spec:
    """Observed violating share against mean score per bin, with Wilson intervals."""
    found = calibration_bins(
        [np.nan if r.score is None else r.score for r in records], [r.gold for r in records],
        bins=bins,
    )  # fmt: skip
    return _filled(_template_reliability(), title, bins=[b.model_dump() for b in found])


@cache
def _template_histogram() -> Spec:
    alt = _alt()
    chart = (
        alt.Chart(alt.NamedData("hist"))
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("lower:Q", bin="binned", scale=alt.Scale(domain=[0, 1]), title="score"),
            x2="upper:Q",
            y=alt.Y("count:Q", stack=None, title="items"),
            color=alt.Color(
                "gold:N",
                scale=alt.Scale(domain=["violating", "non_violating"], range=["#c33", "#39c"]),
            ),  # fmt: skip
            tooltip=["gold:N", "lower:Q", "upper:Q", "count:Q"],
        )
        .properties(width=_WIDTH * 1.5, height=180)
    )
    return dict(chart.to_dict(validate=False))


def score_histogram_chart(
    records: Sequence[PredictionRecord], *, bins: int = 20, title: str = "Scores by gold label"
) -> Spec:
    """Histogram of scores, violating and non-violating items side by side."""
    rows = score_histogram(
        [np.nan if r.score is None else r.score for r in records], [r.gold for r in records],
        bins=bins,
    )  # fmt: skip
    return _filled(_template_histogram(), title, hist=rows)


def render_svg(spec: Spec) -> str:
    """The spec drawn as SVG text, offline (vl-convert embeds Vega; no browser, no network)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, vl_version="6.4"))


__all__ = [
    "CalibrationBin",
    "calibration_bins",
    "interval_rows",
    "reliability_chart",
    "render_svg",
    "score_histogram",
    "score_histogram_chart",
    "slice_interval_chart",
]
