"""`modgate eval`: eval runs, figures with intervals, comparisons, reports, thresholds."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_records
from modgate.errors import ConfigError, ValidationError
from modgate.evaluate import ReportFormat
from modgate.scale import DEFAULT_PARTITION_SIZE, Engine

if TYPE_CHECKING:
    from modgate.evaluate import CvReport, EvalRun, EvalSources, FigureConfig, GroupFigures
    from modgate.store import Store

app = typer.Typer(help="Evaluation: score a frozen golden split, figures with intervals, compare.")


class CompareFormat(enum.StrEnum):
    """Formats of `eval compare`."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console().print(f"wrote {output}")


def _figures_table(title: str, groups: list[GroupFigures]) -> Table:
    from modgate.evaluate import format_metric

    table = Table(title=title)
    table.add_column("group", overflow="fold")
    table.add_column("items", justify="right")
    names = [m.name for m in groups[0].metrics] if groups else []
    for name in names:
        table.add_column(name, overflow="fold")
    for group in groups:
        table.add_row(group.name, str(group.n), *(format_metric(m) for m in group.metrics))
    return table


def _print_run(run: EvalRun, *, all_slices: bool) -> None:
    out = console()
    figures = run.figures
    cfg = figures.config
    out.print(
        f"[bold]{run.id}[/bold]  {run.enforcer} on {run.golden} ({run.split}, {run.n_items} "
        f"items)  {cfg.intervals.confidence:.0%} intervals, {cfg.intervals.resamples} resamples, "
        f"seed {cfg.intervals.seed}; * = fewer than {cfg.min_support} items",
        highlight=False,
    )
    out.print(_figures_table("overall and action bands", [figures.overall, *figures.bands]))
    for policy, part in figures.by_policy.items():
        out.print(_figures_table(f"policy {policy}", [part.overall, *part.bands]))
    if run.left_out_changed:
        out.print(
            f"{len(run.left_out_changed)} item(s) left out: changed since the freeze "
            f"(e.g. {', '.join(run.left_out_changed[:3])})",
            highlight=False,
        )
    if figures.criteria_note:
        out.print(f"criteria: {figures.criteria_note}", highlight=False)
    worst = [figures.slice(name) for name in figures.worst_slices]
    if worst:
        out.print(_figures_table(f"worst slices by {cfg.worst_metric}", worst))
    if all_slices and figures.slices:
        out.print(_figures_table("slices", list(figures.slices)))
    rel = figures.reliability
    if rel.latency_basis == "batch":
        latency = (
            f"latency {rel.latency_ms_mean or 0.0:.1f} ms (batch-level mean; no per-item times)"
        )
    elif rel.latency_ms_p95 is None:
        latency = "latency n/a"
    else:
        latency = f"latency p95 {rel.latency_ms_p95:.1f} ms"
    out.print(
        f"errors {rel.error_rate.count}/{rel.error_rate.total}, parse failures "
        f"{rel.parse_failure_rate.count}, {latency}, cost {rel.cost_total:.4f}",
        highlight=False,
    )


@app.command("run")
def run(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(
        ...,
        help="ENFORCER... GOLDEN@VERSION: one enforcer (NAME or NAME@VERSION), or one per "
        "policy for a multi-policy run, then the frozen golden version.",
        metavar="ENFORCER... GOLDEN@VERSION",
    ),
    split: str = typer.Option("test", help="Split of the golden version to score."),
    on_changed: str = typer.Option(
        "error",
        "--on-changed",
        help="Items changed since the freeze: error (default) or skip (left out, listed).",
    ),
    confidence: float = typer.Option(0.95, min=0.5, max=0.999, help="Interval confidence."),
    resamples: int = typer.Option(1000, min=10, help="Bootstrap resamples."),
    seed: int = typer.Option(0, help="Bootstrap seed."),
    min_support: int = typer.Option(30, min=1, help="Mark figures on fewer items."),
    engine: Engine = typer.Option(
        Engine.LOCAL,
        "--engine",
        help="local: score missing verdicts in this process; dask: on a Dask cluster.",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="--engine dask: scheduler address (default: a local cluster)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="--engine dask, local cluster: worker processes."
    ),
    partition_size: int = typer.Option(
        DEFAULT_PARTITION_SIZE, "--partition-size", min=1, help="--engine dask: items per task."
    ),
    max_concurrent: int | None = typer.Option(
        None,
        "--max-concurrent",
        min=1,
        help="--engine dask: cluster-wide bound on concurrent predict calls (LLM rate limit).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table or json."),
) -> None:
    """Score a frozen golden split's rows of each enforcer's policy (reusing stored verdicts)."""
    from modgate.evaluate import FigureConfig, IntervalConfig, eval_sources, run_eval_from_sources

    if len(targets) < 2:
        raise ValidationError("give ENFORCER... GOLDEN@VERSION (at least one enforcer)")
    *enforcers, golden = targets
    if "@" not in golden:
        raise ValidationError(f"GOLDEN must be NAME@VERSION, got {golden!r}")
    if engine is Engine.LOCAL and (scheduler is not None or workers is not None):
        raise ValidationError("--scheduler and --workers need --engine dask")
    context = get_context(ctx)
    store = context.store()
    config = FigureConfig(
        intervals=IntervalConfig(confidence=confidence, resamples=resamples, seed=seed),
        min_support=min_support,
    )
    sources = eval_sources(store, workspace=context.settings().workspace)
    if engine is Engine.DASK:
        result = _run_on_dask(
            store,
            sources,
            enforcers,
            golden,
            workspace=context.settings().workspace,
            actor=context.settings().actor,
            split=split,
            config=config,
            on_changed=on_changed,
            scheduler=scheduler,
            workers=workers,
            partition_size=partition_size,
            max_concurrent=max_concurrent,
        )
    else:
        result = run_eval_from_sources(
            store,
            sources,
            enforcers,
            golden,
            actor=context.settings().actor,
            split=split,
            config=config,
            on_changed=on_changed,
        )
    if fmt is OutputFormat.JSON:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        _print_run(result, all_slices=False)


def _run_on_dask(
    store: Store,
    sources: EvalSources,
    enforcers: list[str],
    golden: str,
    *,
    workspace: Path | None,
    actor: str,
    split: str,
    config: FigureConfig,
    on_changed: str,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    max_concurrent: int | None,
) -> EvalRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from modgate.scale import dask_client, run_eval_distributed

    if workspace is None:
        raise ConfigError("--engine dask needs a workspace (modgate init): workers read it")
    bar = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*bar, console=err_console(), transient=True) as progress:

        def progress_for(ref: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(f"scoring {ref} on the cluster", total=total)
            return lambda n: progress.advance(task, n)

        with dask_client(scheduler, n_workers=workers) as client:
            result = run_eval_distributed(
                store,
                sources,
                enforcers,
                golden,
                actor=actor,
                workspace=workspace,
                client=client,
                split=split,
                config=config,
                on_changed=on_changed,
                partition_size=partition_size,
                max_concurrent=max_concurrent,
                progress=progress_for,
            )
    for s in result.scoring:
        err_console().print(
            f"{s.enforcer}: {s.scored} scored on {s.workers} workers in {s.partitions} "
            f"partitions, {s.already_scored} already scored, {s.errors} errors",
            highlight=False,
        )
    if not result.scoring:
        err_console().print("every verdict was already stored: nothing scored on the cluster")
    return result.run


def _cv_value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_cv(report: CvReport) -> None:
    from modgate.evaluate import CV_METRICS

    out = console()
    table = Table(
        title=f"{report.spec}: {report.folds}-fold cv on {report.golden} ({report.split})"
    )
    table.add_column("fold")
    table.add_column("run")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    for name in CV_METRICS:
        table.add_column(name)
    for r in report.results:
        table.add_row(str(r.fold), r.run_id, str(r.n_train), str(r.n_test),
                      *(_cv_value(r.figures[m]) for m in CV_METRICS))  # fmt: skip
    table.add_row("mean ± sd", "", "", "", *(
        f"{_cv_value(report.summary[m].mean)} ± {_cv_value(report.summary[m].sd)}"
        for m in CV_METRICS
    ))  # fmt: skip
    out.print(table)
    if report.against:
        paired = Table(title=f"paired over the same folds: {report.against} − {report.spec}")
        paired.add_column("fold")
        for name in CV_METRICS:
            paired.add_column(f"Δ {name}")
        for number, deltas in enumerate(report.delta_per_fold, start=1):
            paired.add_row(str(number), *(_cv_value(deltas[m]) for m in CV_METRICS))
        paired.add_row("mean ± sd", *(
            f"{_cv_value(report.deltas[m].mean)} ± {_cv_value(report.deltas[m].sd)}"
            for m in CV_METRICS
        ))  # fmt: skip
        out.print(paired)
    for r in (*report.results, *report.against_results):
        for warning in r.warnings:
            err_console().print(f"fold {r.fold}: warning: {warning}", highlight=False)


@app.command("cv")
def cv(
    ctx: typer.Context,
    spec_file: Path = typer.Argument(..., help="Classifier spec, e.g. enforcers/NAME.yaml."),
    golden: str = typer.Argument(..., help="Frozen golden version: NAME@VERSION."),
    folds: int = typer.Option(5, "--folds", "-k", min=2, help="Number of folds K."),
    against: Path | None = typer.Option(
        None, "--against", help="A second classifier spec, paired over the same folds."
    ),
    seed: int = typer.Option(0, help="Seed of the fold assignment and the bootstrap."),
    policy_examples: bool = typer.Option(
        False,
        "--policy-examples/--no-policy-examples",
        help="Also fit every fold on the published policy's examples.",
    ),
    resamples: int = typer.Option(200, min=10, help="Bootstrap resamples of each fold run."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table or json."),
) -> None:
    """Train and evaluate a spec on K grouped, stratified folds of the train+dev rows."""
    from modgate.enforce import load_enforcer_spec
    from modgate.evaluate import FigureConfig, IntervalConfig, cross_validate

    if "@" not in golden:
        raise ValidationError(f"GOLDEN must be NAME@VERSION, got {golden!r}")
    context = get_context(ctx)
    report = cross_validate(
        context.store(),
        load_enforcer_spec(spec_file),
        golden,
        folds=folds,
        seed=seed,
        against=load_enforcer_spec(against) if against is not None else None,
        policy_examples=policy_examples,
        actor=context.settings().actor,
        config=FigureConfig(intervals=IntervalConfig(resamples=resamples, seed=seed)),
    )
    if fmt is OutputFormat.JSON:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        _print_cv(report)


@app.command("list")
def list_(
    ctx: typer.Context,
    enforcer: str | None = typer.Option(None, help="Only this enforcer (NAME or NAME@VERSION)."),
    golden: str | None = typer.Option(None, help="Only this golden set (NAME or NAME@VERSION)."),
    limit: int = typer.Option(50, min=1, help="Maximum runs."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List eval runs, newest first, with their headline figures."""
    from modgate.evaluate import list_eval_runs

    runs = list_eval_runs(get_context(ctx).store(), enforcer=enforcer, golden=golden, limit=limit)
    names = ("precision", "recall", "f1", "fpr", "auprc")
    columns = ["id", "enforcer", "golden", "split", "items", *names, "created_at"]
    rows = [
        [
            r.id,
            r.enforcer,
            r.golden,
            r.split,
            r.n_items,
            *(r.figures.overall.metric(n).value for n in names),
            r.created_at,
        ]
        for r in runs
    ]
    if fmt is OutputFormat.TABLE and output is None:
        rows = [[*row[:5], *(_short(v) for v in row[5:10]), row[10]] for row in rows]
    write_records(columns, rows, fmt, output, title="eval runs")


def _short(value: object) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Eval run id."),
    all_slices: bool = typer.Option(False, "--slices", help="Also print every slice."),
    errors: bool = typer.Option(
        False, "--errors", help="Also group false positives and negatives into clusters."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table or json."),
) -> None:
    """Show one eval run: figures with intervals and support, worst slices, reliability."""
    from modgate.evaluate import EvalReport, error_cluster_lines, get_eval_run, run_error_clusters

    store = get_context(ctx).store()
    found = get_eval_run(store, run_id)
    clusters = run_error_clusters(store, run_id) if errors else []
    if fmt is OutputFormat.TABLE:
        _print_run(found, all_slices=all_slices)
        if errors:
            console().print("[bold]failure modes[/bold]")
            sys.stdout.write("\n".join(error_cluster_lines(clusters) or ["(no errors)"]) + "\n")
    elif errors:
        sys.stdout.write(EvalReport(run=found, errors=tuple(clusters)).model_dump_json(indent=2))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(found.model_dump_json(indent=2) + "\n")


@app.command("report")
def report(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Eval run id."),
    fmt: ReportFormat = typer.Option(ReportFormat.MARKDOWN, "--format", "-f", help="Format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Render an eval run's report as Markdown, HTML or JSON."""
    from modgate.evaluate import (
        EvalReport,
        get_eval_run,
        load_predictions,
        render_report,
        run_error_clusters,
    )

    store = get_context(ctx).store()
    found = get_eval_run(store, run_id)
    predictions = tuple(load_predictions(store, run_id)) if fmt is ReportFormat.HTML else ()
    report_ = EvalReport(
        run=found, errors=tuple(run_error_clusters(store, run_id)), predictions=predictions
    )
    _write_text(render_report(report_, fmt), output)


@app.command("compare")
def compare(
    ctx: typer.Context,
    run_a: str = typer.Argument(..., help="Baseline run id."),
    run_b: str = typer.Argument(..., help="Candidate run id (same golden version)."),
    target: list[str] = typer.Option(
        [], "--target", help="Slice the change meant to affect (dimension=value); repeatable."
    ),
    flips: int = typer.Option(50, min=0, help="Most flipped items to list."),
    policy: str | None = typer.Option(
        None, help="Compare this policy's rows (needed for multi-policy runs)."
    ),
    fmt: CompareFormat = typer.Option(CompareFormat.TABLE, "--format", "-f", help="Format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Compare two runs item by item: deltas, McNemar, per-slice deltas, flipped items."""
    from modgate.evaluate import compare_runs, render_comparison_markdown

    result = compare_runs(
        get_context(ctx).store(),
        run_a,
        run_b,
        target_slices=target,
        flip_limit=flips,
        policy=policy,
    )
    if fmt is CompareFormat.JSON:
        _write_text(result.model_dump_json(indent=2) + "\n", output)
        return
    markdown = render_comparison_markdown(result)
    if fmt is CompareFormat.MARKDOWN or output is not None:
        _write_text(markdown, output)
        return
    from rich.markdown import Markdown

    console().print(Markdown(markdown))


@app.command("thresholds")
def thresholds(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Eval run whose scores to tune on."),
    target_precision: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Minimum precision to reach."
    ),
    target_fpr: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Maximum false-positive rate."
    ),
    per_community: bool = typer.Option(False, help="Also tune a threshold per community."),
    min_support: int = typer.Option(30, min=1, help="Items of each class a community needs."),
    action: str = typer.Option("remove", help="Action whose threshold is tuned."),
    policy: str | None = typer.Option(
        None, help="Tune this policy's enforcer (needed for multi-policy runs)."
    ),
    write: bool = typer.Option(
        False, "--write", help="Register the enforcer with these thresholds as a new version."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Best-recall threshold for a target precision or FPR (overall, optionally per community)."""
    from modgate.evaluate import ThresholdTarget, tune_run_thresholds, write_threshold_version

    if (target_precision is None) == (target_fpr is None):
        raise ValidationError("give exactly one of --target-precision and --target-fpr")
    target = (
        ThresholdTarget(metric="precision", value=target_precision)
        if target_precision is not None
        else ThresholdTarget(metric="fpr", value=target_fpr or 0.0)
    )
    context = get_context(ctx)
    plan = tune_run_thresholds(
        context.store(),
        run_id,
        target,
        per_community=per_community,
        min_support=min_support,
        action=action,
        policy=policy,
    )
    if write:
        settings = context.settings()
        assert settings.workspace is not None  # settings() requires a workspace
        written = write_threshold_version(
            context.store(),
            run_id,
            plan,
            workspace=settings.workspace,
            actor=settings.actor,
            policy=policy,
        )
        state = "registered" if written.created else "already registered as"
        err_console().print(f"{state} {written.version.ref} with the tuned thresholds")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(plan.model_dump_json(indent=2) + "\n")
        return
    results = [plan.overall, *plan.communities]
    columns = ["scope", "threshold", "precision", "recall", "fpr", "positives", "negatives", "note"]
    rows = [
        [r.scope, r.threshold, r.precision, r.recall, r.fpr, r.positives, r.negatives, r.note]
        for r in results
    ]
    write_records(
        columns,
        rows,
        fmt,
        title=f"{action} thresholds for {target.metric} "
        f"{'>=' if target.metric == 'precision' else '<='} {target.value:g}",
    )
    if fmt is OutputFormat.TABLE:
        import yaml

        console().print("thresholds for the enforcer spec (--write registers a new version):")
        sys.stdout.write(yaml.safe_dump({"thresholds": plan.threshold_overrides()}))


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@app.command("communities")
def communities(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Eval run to break down by community."),
    level: float = typer.Option(0.9, "--level", min=0.5, max=0.999, help="Credible level."),
    budget: int | None = typer.Option(
        None, "--budget", min=0, help="Plan this many reviews across communities."
    ),
    sort: str = typer.Option("items", "--sort", help="Sort by items, community or uncertainty."),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows shown in the table."),
    family: int | None = typer.Option(
        None,
        "--family",
        min=1,
        help="Shrink toward this stored rule family (default: the "
        "family the run's enforcer serves, if any).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Per-community precision, recall and action rate: raw vs shrunk (empirical Bayes)."""
    from modgate.evaluate import estimate_run_communities

    if sort not in ("items", "community", "uncertainty"):
        raise ValidationError(f"--sort {sort!r}: expected items, community or uncertainty")
    report = estimate_run_communities(
        get_context(ctx).store(), run_id, level=level, budget=budget, family=family
    )
    if fmt is OutputFormat.JSON and output is None:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    planned = {a.community: a.reviews for a in report.plan}
    found = list(report.communities)
    if sort == "items":
        found.sort(key=lambda e: (-e.items, e.community))
    elif sort == "uncertainty":
        found.sort(key=lambda e: (-e.precision.sd, e.community))
    table = fmt is OutputFormat.TABLE and output is None
    if table:
        found = found[:limit]
    columns = ["community", "items", "precision raw", "precision shrunk", "interval",
               "recall raw", "recall shrunk", "interval ", "action rate raw",
               "action rate shrunk"]  # fmt: skip
    if report.plan:
        columns.append("reviews")
    rows: list[list[object]] = []
    for e in found:
        p, r, a = e.precision, e.recall, e.action_rate
        if table:
            row: list[object] = [
                e.community, e.items, _rate(p.raw), _rate(p.shrunk),
                f"{p.low:.2f}–{p.high:.2f}", _rate(r.raw), _rate(r.shrunk),
                f"{r.low:.2f}–{r.high:.2f}", _rate(a.raw), _rate(a.shrunk),
            ]  # fmt: skip
        else:
            row = [e.community, e.items, p.raw, p.shrunk, f"{p.low:.4f}-{p.high:.4f}", r.raw,
                   r.shrunk, f"{r.low:.4f}-{r.high:.4f}", a.raw, a.shrunk]  # fmt: skip
        if report.plan:
            row.append(planned.get(e.community, 0))
        rows.append(row)
    title = (
        f"run {run_id}: {len(report.communities)} communities, {report.items} items · "
        f"{report.level:.0%} intervals, shrunk toward the site"
    )
    write_records(columns, rows, fmt, output, title=title)
