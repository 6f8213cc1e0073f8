"""Eval reports: the `EvalReport` model and its JSON, Markdown and HTML renderings."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from modgate.evaluate._choices import ReportFormat as ReportFormat
from modgate.evaluate._compare import ComparisonReport
from modgate.evaluate._errors import ErrorCluster
from modgate.evaluate._figures import GroupFigures, MetricValue
from modgate.evaluate._predictions import PredictionRecord
from modgate.evaluate._repo import EvalRun


class EvalReport(BaseModel):
    """What `modgate eval report` renders: the run, its figures, and what to look at first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run: EvalRun
    """The run with every figure."""
    errors: tuple[ErrorCluster, ...] = ()
    """False positives and false negatives grouped into clusters (`error_clusters`)."""
    predictions: tuple[PredictionRecord, ...] = ()
    """The run's predictions (`load_predictions`): the HTML report draws its reliability
    diagram and score histograms from them (left out when empty)."""

    @property
    def worst(self) -> list[GroupFigures]:
        """The worst slices, worst first."""
        return [self.run.figures.slice(name) for name in self.run.figures.worst_slices]


def format_value(value: float | None, digits: int = 3) -> str:
    """A figure for people: `0.912`, or `n/a` when undefined."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_metric(metric: MetricValue) -> str:
    """`0.912 [0.890, 0.931] n=412` (with `*` when support is low)."""
    if metric.value is None:
        return f"n/a ({metric.note or 'undefined'})"
    interval = (
        f" [{format_value(metric.lower)}, {format_value(metric.upper)}]"
        if metric.lower is not None and metric.upper is not None
        else ""
    )
    flag = " *" if metric.low_support else ""
    return f"{format_value(metric.value)}{interval} n={metric.support}{flag}"


def _group_rows(groups: list[GroupFigures] | tuple[GroupFigures, ...]) -> list[str]:
    names = [m.name for m in groups[0].metrics] if groups else []
    lines = ["| group | items | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for group in groups:
        cells = " | ".join(format_metric(m) for m in group.metrics)
        lines.append(f"| {group.name} | {group.n} | {cells} |")
    return lines


def error_cluster_lines(clusters: Sequence[ErrorCluster]) -> list[str]:
    """Error clusters as Markdown lines: size, share, terms, slices and examples."""
    lines: list[str] = []
    for kind in ("false_positive", "false_negative"):
        mine = [c for c in clusters if c.kind == kind]
        if not mine:
            continue
        lines += [f"### {kind.replace('_', ' ')}s", ""]
        for c in mine:
            slices = ", ".join(f"{name} {share:.0%}" for name, share in c.slices) or "-"
            terms = ", ".join(c.terms) or "-"
            lines.append(
                f"- **{c.label}**: {c.size} ({c.share:.0%} of {kind.replace('_', ' ')}s); "
                f"terms: {terms}; slices: {slices}"
            )
            for e in c.examples:
                shown = (e.text or "").replace("\n", " ")[:120]
                lines.append(f"  - `{e.item_id}` score {format_value(e.score)}: {shown}")
        lines.append("")
    return lines


def render_markdown(report: EvalReport) -> str:
    """The report as Markdown."""
    run = report.run
    figures = run.figures
    cfg = figures.config
    rel = figures.reliability
    lines = [
        f"# Eval run {run.id}",
        "",
        f"- enforcer: `{run.enforcer}` (version hash `{run.enforcer_version_hash[:12]}`)",
        f"- golden: `{run.golden}` split `{run.split}` (hash `{run.golden_hash[:12]}`)",
        f"- items: {run.n_items} ({figures.n_scored} with a score)",
        f"- created: {run.created_at.isoformat()} by {run.created_by}",
        f"- intervals: {cfg.intervals.confidence:.0%}, {cfg.intervals.resamples} stratified "
        f"bootstrap resamples (seed {cfg.intervals.seed}); recall and FPR: "
        f"{cfg.intervals.proportion_method}. `*` marks figures on fewer than "
        f"{cfg.min_support} items.",
        "",
        "## Overall",
        "",
        *_group_rows([figures.overall]),
        "",
        "## Action bands",
        "",
        "`remove`: action remove; `review`: action review or more severe.",
        "",
        *_group_rows(list(figures.bands)),
        "",
        f"## Worst slices (by the pessimistic bound of {cfg.worst_metric})",
        "",
    ]
    lines.extend(_group_rows(report.worst) if report.worst else ["(none with enough support)"])
    lines += ["", "## Slices", ""]
    lines.extend(_group_rows(list(figures.slices)) if figures.slices else ["(no slices)"])
    c = figures.overall.counts
    lines += [
        "",
        "## Confusion matrix",
        "",
        "| | predicted violating | predicted non-violating |",
        "|---|---|---|",
        f"| violating | {c.tp} | {c.fn} |",
        f"| non-violating | {c.fp} | {c.tn} |",
    ]
    if figures.criteria:
        lines += [
            "",
            "## By criterion",
            "",
            "| criterion | tp | fp | fn | tn |",
            "|---|---|---|---|---|",
        ]
        for name, counts in figures.criteria.items():
            lines.append(f"| {name} | {counts.tp} | {counts.fp} | {counts.fn} | {counts.tn} |")
    if report.errors:
        lines += ["", "## Failure modes", "", *error_cluster_lines(report.errors)]
    lines += [
        "",
        "## Reliability",
        "",
        f"- error rate: {format_value(rel.error_rate.value)} "
        f"({rel.error_rate.count}/{rel.error_rate.total})",
        f"- parse-failure rate: {format_value(rel.parse_failure_rate.value)} "
        f"({rel.parse_failure_rate.count}/{rel.parse_failure_rate.total})",
        f"- latency ms: mean {format_value(rel.latency_ms_mean, 1)}, p50 "
        f"{format_value(rel.latency_ms_p50, 1)}, p95 {format_value(rel.latency_ms_p95, 1)}, "
        f"p99 {format_value(rel.latency_ms_p99, 1)}",
        f"- cost: total {rel.cost_total:.4f}, per item {format_value(rel.cost_per_item, 6)}",
    ]
    for name, value in sorted(rel.reported.items()):
        lines.append(f"- {name}: {value:g}")
    return "\n".join(lines) + "\n"


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval run {{ run.id }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem}
.bar{position:relative;width:8rem;height:.6rem;background:#eee;display:inline-block}
.ci{position:absolute;height:100%;background:#9bd}.pt{position:absolute;width:2px;height:100%;
background:#036}.low{color:#a60}
</style></head><body>
<h1>Eval run {{ run.id }}</h1>
{% for title, svg in charts %}<figure class="chart" aria-label="{{ title }}">{{ svg|safe }}</figure>
{% endfor %}
<p>enforcer <code>{{ run.enforcer }}</code> · golden <code>{{ run.golden }}</code>
split <code>{{ run.split }}</code> · {{ run.n_items }} items ·
{{ "%.0f"|format(cfg.intervals.confidence * 100) }}% intervals,
{{ cfg.intervals.resamples }} resamples (seed {{ cfg.intervals.seed }}) ·
<span class="low">orange</span>: fewer than {{ cfg.min_support }} items</p>
{% for title, groups in sections %}
<h2>{{ title }}</h2>
<table><tr><th>group</th><th>items</th>
{% for m in groups[0].metrics %}<th>{{ m.name }}</th>{% endfor %}</tr>
{% for g in groups %}<tr><td>{{ g.name }}</td><td>{{ g.n }}</td>
{% for m in g.metrics %}<td class="{{ 'low' if m.low_support else '' }}">
{% if m.value is none %}n/a{% else %}{{ "%.3f"|format(m.value) }}
{% if m.lower is not none %}<br><span class="bar">
<span class="ci" style="left:{{ m.lower * 100 }}%;width:{{ (m.upper - m.lower) * 100 }}%"></span>
<span class="pt" style="left:{{ m.value * 100 }}%"></span></span>
<br><small>[{{ "%.3f"|format(m.lower) }}, {{ "%.3f"|format(m.upper) }}] n={{ m.support }}</small>
{% endif %}{% endif %}</td>{% endfor %}</tr>{% endfor %}
</table>
{% endfor %}
{% if errors %}<h2>Failure modes</h2>
<pre>{{ errors }}</pre>{% endif %}
<h2>Reliability</h2>
<pre>{{ reliability }}</pre>
</body></html>
"""


def report_charts(report: EvalReport) -> list[tuple[str, dict[str, object]]]:
    """The report's Vega-Lite figures: intervals per slice, reliability, score histograms."""
    from modgate.evaluate._charts import (
        reliability_chart,
        score_histogram_chart,
        slice_interval_chart,
    )

    figures = report.run.figures
    groups = [figures.overall, *figures.bands, *figures.slices]
    charts: list[tuple[str, dict[str, object]]] = [
        ("Figures with intervals per slice", slice_interval_chart(groups))
    ]
    scored = [p for p in report.predictions if p.score is not None]
    if scored:
        charts.append(("Reliability diagram", reliability_chart(scored)))
        charts.append(("Scores by gold label", score_histogram_chart(scored)))
    return charts


def render_html(report: EvalReport, *, charts: bool = True) -> str:
    """The report as one self-contained HTML file that works offline.

    Figures are Vega-Lite specs (Altair) drawn to inline SVG by vl-convert, so the file needs
    neither JavaScript nor network; interval bars of the tables are drawn with CSS.
    """
    from jinja2 import Environment, select_autoescape

    from modgate.evaluate._charts import render_svg

    env = Environment(autoescape=select_autoescape(default=True))
    figures = report.run.figures
    sections = [("Overall", [figures.overall]), ("Action bands", list(figures.bands))]
    if report.worst:
        sections.append(("Worst slices", report.worst))
    if figures.slices:
        sections.append(("Slices", list(figures.slices)))
    return env.from_string(_HTML).render(
        run=report.run,
        cfg=figures.config,
        sections=sections,
        reliability=json.dumps(figures.reliability.model_dump(mode="json"), indent=2),
        errors="\n".join(error_cluster_lines(report.errors)),
        charts=[(t, render_svg(spec)) for t, spec in report_charts(report)] if charts else [],
    )


def render_report(report: EvalReport, fmt: ReportFormat) -> str:
    """Render an eval report as JSON, Markdown or HTML."""
    if fmt is ReportFormat.JSON:
        data = report.run.model_dump(mode="json")
        data["errors"] = [c.model_dump(mode="json") for c in report.errors]
        return json.dumps(data, indent=2) + "\n"
    if fmt is ReportFormat.MARKDOWN:
        return render_markdown(report)
    return render_html(report)


def render_comparison_markdown(report: ComparisonReport) -> str:
    """A comparison (flip report) as Markdown."""
    mc = report.mcnemar
    p = "n/a" if mc.p_value is None else f"{mc.p_value:.4g}"
    lines = [
        f"# {report.run_b} vs {report.run_a}",
        "",
        f"- paired items: {report.n_items} (only in A: {report.only_in_a}, only in B: "
        f"{report.only_in_b})",
        f"- flipped: {report.n_flipped} ({report.fixed} fixed, {report.broken} broken)",
        f"- McNemar: only A right {mc.only_a_correct}, only B right {mc.only_b_correct}, "
        f"p = {p} ({'exact' if mc.exact else 'chi-square'})",
    ]
    if report.target_slices:
        lines.append(
            f"- target slices {', '.join(report.target_slices)}: {report.flipped_in_target} "
            f"flips inside, {report.flipped_outside_target} outside"
        )
    cl = report.cost_latency
    lines += [
        f"- cost per item: {format_value(cl.cost_per_item_before, 6)} → "
        f"{format_value(cl.cost_per_item_after, 6)}; latency p95 ms: "
        f"{format_value(cl.latency_ms_p95_before, 1)} → {format_value(cl.latency_ms_p95_after, 1)}",
        "",
        "## Overall",
        "",
        "| figure | A | B | delta | interval |",
        "|---|---|---|---|---|",
    ]
    for d in report.overall:
        interval = (
            f"[{format_value(d.lower)}, {format_value(d.upper)}]" if d.lower is not None else ""
        )
        lines.append(
            f"| {d.name} | {format_value(d.before)} | {format_value(d.after)} | "
            f"{format_value(d.delta)} | {interval} |"
        )
    lines += ["", "## Slices", "", "| slice | items | flips | fixed | broken | Δ f1 | Δ fpr |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for s in report.slices:
        f1 = next(d for d in s.deltas if d.name == "f1")
        fpr = next(d for d in s.deltas if d.name == "fpr")
        mark = " (target)" if s.targeted else ""
        lines.append(
            f"| {s.name}{mark} | {s.n} | {s.flips} | {s.fixed} | {s.broken} | "
            f"{format_value(f1.delta)} | {format_value(fpr.delta)} |"
        )
    lines += ["", "## Flipped items", ""]
    for f in report.flipped:
        text = (f.text or "").replace("\n", " ")[:160]
        lines.append(
            f"- **{f.change}** `{f.item_id}` gold={'violating' if f.gold else 'non-violating'} "
            f"{f.action_before} → {f.action_after}: {text}"
        )
    return "\n".join(lines) + "\n"


__all__ = [
    "EvalReport",
    "ReportFormat",
    "format_metric",
    "format_value",
    "render_comparison_markdown",
    "render_html",
    "report_charts",
    "render_markdown",
    "render_report",
]
