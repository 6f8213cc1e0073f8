"""`modgate simulate`: SIMULATED decision traffic over real texts, through the real decide path."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_records
from modgate.errors import ConfigError

app = typer.Typer(help="SIMULATED traffic: real texts, simulated communities, times and scenarios.")


@app.command("run")
def run(
    ctx: typer.Context,
    spec_file: Path = typer.Argument(
        ..., help="Simulation file (YAML: model, source, scenarios); see docs/monitor.md."
    ),
    ground_truth: Path = typer.Option(
        Path("simulation-ground-truth.json"),
        "--ground-truth",
        help="Where to write what was injected where and when (JSON).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Save SIMULATED items, decide them under the current deployments, record features."""
    from modgate.monitor import load_simulation_file, run_simulation

    context = get_context(ctx)
    settings = context.settings()
    if settings.workspace is None:
        raise ConfigError("simulate needs a workspace (modgate init)")
    spec = load_simulation_file(spec_file)
    report = run_simulation(
        context.store(),
        spec,
        workspace=settings.workspace,
        actor=settings.actor,
        ground_truth=ground_truth,
    )
    rows: list[list[object]] = [
        ["SIMULATED", "stated model", report.stated_model],
        ["SIMULATED", "items", report.items],
        ["SIMULATED", "decisions", report.decisions],
        ["SIMULATED", "featured", report.featured],
        ["SIMULATED", "communities", report.communities],
        *(["SIMULATED", f"action {a}", n] for a, n in report.actions.items()),
        *(["SIMULATED", f"scenario {s}", n] for s, n in report.scenarios.items()),
        ["SIMULATED", "ground truth", report.ground_truth],
    ]
    write_records(["simulated", "figure", "value"], rows, fmt, output)
