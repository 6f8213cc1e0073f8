"""`modgate monitor`: evaluate the workspace's monitor files over the decision log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_records
from modgate.cli._parse import parse_time
from modgate.errors import ConfigError, ValidationError

if TYPE_CHECKING:
    from modgate.monitor import MonitorRunReport

app = typer.Typer(help="Monitors: drift, action rates, evasion, emerging terms → alerts.")


@app.command("run")
def run(
    ctx: typer.Context,
    names: list[str] | None = typer.Argument(None, help="Monitor names (default: all)."),
    at: str | None = typer.Option(
        None, "--at", help="Evaluate as of this ISO time (UTC when no zone; default now)."
    ),
    directory: Path | None = typer.Option(
        None, "--dir", help="Folder of monitor files (default: the workspace's monitors/)."
    ),
    every: str | None = typer.Option(
        None, "--every", help="Run again at this interval (15m, 1h) until interrupted."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    source: str = typer.Option(
        "auto",
        "--source",
        help="auto: the roll-ups when they count every decision, else the log; rollups; raw.",
    ),
) -> None:
    """Run monitors: store findings, raise deduplicated alerts, send webhooks."""
    from modgate.monitor import parse_duration, run_monitors

    context = get_context(ctx)
    folder = directory
    if folder is None:
        workspace = context.settings().workspace
        if workspace is None:
            raise ConfigError("no workspace: run inside one (modgate init) or pass --dir")
        folder = workspace / "monitors"
    when = parse_time(at, "--at") if at else None
    interval = None
    if every is not None:
        if at is not None:
            raise ValidationError("--every runs at the current time; it cannot take --at")
        try:
            interval = parse_duration(every).total_seconds()
        except ValueError as exc:
            raise ValidationError(f"--every: {exc}") from exc
    while True:
        if source not in ("auto", "rollups", "raw"):
            raise ValidationError(f"--source must be auto, rollups or raw, not {source!r}")
        reports = run_monitors(
            context.store(),
            folder,
            names=names or None,
            at=when,
            source=source,  # type: ignore[arg-type]  # checked above
        )
        _print(reports, fmt, output)
        if interval is None:
            return
        time.sleep(interval)


@app.command("rebuild-rollups")
def rebuild_rollups_command(ctx: typer.Context) -> None:
    """Recompute the monitor roll-ups from the decision log (after an upgrade or a bulk load)."""
    from modgate.monitor import rebuild_monitor_rollups

    context = get_context(ctx)
    began = time.perf_counter()
    counted = rebuild_monitor_rollups(context.store(), actor=context.settings().actor)
    typer.echo(
        f"roll-ups rebuilt from {counted:,} decisions in {time.perf_counter() - began:.1f} s",
        err=True,
    )


def _print(reports: list[MonitorRunReport], fmt: OutputFormat, output: Path | None) -> None:
    rows = [
        [
            rep.monitor,
            r.check,
            r.segment,
            r.statistic,
            r.value,
            r.q_value if r.q_value is not None else r.p_value,
            next(
                (a.alert_id for a in rep.alerts if (a.check, a.segment) == (r.check, r.segment)),
                None,
            ),
            next((a.new for a in rep.alerts if (a.check, a.segment) == (r.check, r.segment)), None),
        ]
        for rep in reports
        for r in rep.fired
    ]
    write_records(
        ["monitor", "check", "segment", "statistic", "value", "q_or_p", "alert", "new"],
        rows,
        fmt,
        output,
        title="findings",
    )
    if fmt is OutputFormat.TABLE and output is None:
        for rep in reports:
            typer.echo(
                f"{rep.monitor}: {rep.results} results, {len(rep.fired)} fired, "
                f"{sum(a.new for a in rep.alerts)} new alerts, "
                f"webhooks {rep.delivered} delivered / {rep.failing} failing "
                f"(window {rep.window[0].isoformat()} → {rep.window[1].isoformat()}, "
                f"read from {rep.source})",
                err=True,
            )
            for rb in rep.rollbacks:
                typer.echo(
                    f"{rep.monitor}: automatic rollback for alert {rb.alert_id}: {rb.status}"
                    + (
                        f" ({rb.policy} → {rb.restored_to}, incident {rb.incident_id})"
                        if rb.status == "rolled_back"
                        else f": {rb.detail}"
                    ),
                    err=True,
                )
