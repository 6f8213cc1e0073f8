"""`modgate backfill`: re-score history with a candidate on Dask and report its launch impact."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, err_console, write_records
from modgate.cli._parse import parse_time
from modgate.errors import ConfigError, ValidationError
from modgate.scale import DEFAULT_PARTITION_SIZE

_COLUMNS = (
    "community",
    "policy",
    "items",
    "candidate",
    "baseline",
    "review",
    "review_delta",
    "review_per_day",
)


def backfill(
    ctx: typer.Context,
    enforcer: str = typer.Argument(..., help="Candidate NAME@VERSION."),
    since: str | None = typer.Option(None, "--since", help="Items created at or after (ISO)."),
    until: str | None = typer.Option(None, "--until", help="Items created before (ISO)."),
    communities: list[str] | None = typer.Option(
        None, "--communities", help="Only these communities (repeat the option)."
    ),
    against: str | None = typer.Option(
        None,
        "--against",
        help="Baseline NAME@VERSION (default: the active deployment of the policy).",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: a local cluster)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Local cluster workers (default: one per core)."
    ),
    partition_size: int = typer.Option(
        DEFAULT_PARTITION_SIZE, "--partition-size", min=1, help="Items per task."
    ),
    max_concurrent: int | None = typer.Option(
        None,
        "--max-concurrent",
        min=1,
        help="Cluster-wide bound on concurrent enforcer calls (an LLM rate limit).",
    ),
    gate: Path | None = typer.Option(
        None,
        "--gate",
        help="Gate file whose review_load criteria cap the review load (exit 1 when over).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
) -> None:
    """Re-score history with a candidate on Dask: expected actions and review load."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from modgate.release import load_gate_config
    from modgate.scale import backfill as run_backfill

    context = get_context(ctx)
    workspace = context.settings().workspace
    if workspace is None:
        raise ConfigError("backfills need a workspace (modgate init)")
    gate_config = None
    if gate is not None:
        try:
            text = gate.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"--gate {gate}: cannot read ({exc.strerror})") from exc
        gate_config = load_gate_config(text, str(gate))
    start = parse_time(since, "--since") if since is not None else None
    end = parse_time(until, "--until") if until is not None else None
    columns = [
        TextColumn(f"backfill {enforcer}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err_console(), transient=True) as progress:
        task = progress.add_task("backfill", total=None)
        result = run_backfill(
            context.store(),
            enforcer,
            workspace=workspace,
            against=against,
            since=start,
            until=end,
            communities=communities or None,
            scheduler=scheduler,
            n_workers=workers,
            partition_size=partition_size,
            max_concurrent=max_concurrent,
            progress=lambda n: progress.advance(task, n),
            on_total=lambda n: progress.update(task, total=n),
            gate=gate_config,
        )
    scoring = result.scoring
    err_console().print(
        f"{scoring.enforcer}: {scoring.scored} scored, {scoring.already_scored} already scored, "
        f"{scoring.errors} errors, {scoring.partitions} partitions on {scoring.workers} workers; "
        f"baseline {result.impact.baseline or 'none'}",
        highlight=False,
    )
    rows = [
        [
            r.community,
            r.policy,
            r.items,
            " ".join(f"{a}={n}" for a, n in r.candidate.items()),
            " ".join(f"{a}={n}" for a, n in r.baseline.items()),
            r.review,
            r.review_delta,
            None if r.review_per_day is None else round(r.review_per_day, 2),
        ]
        for r in result.impact.rows
    ]
    write_records(_COLUMNS, rows, fmt, output, title=f"launch impact of {scoring.enforcer}")
    for check in result.gate:
        verdict = "pass" if check.passed else "FAIL"
        err_console().print(f"gate {check.id}: {verdict} ({check.evidence})", highlight=False)
    if not result.go:
        raise typer.Exit(1)
