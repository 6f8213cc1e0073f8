"""`modgate gate`: release gates → a go / no-go readiness report."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import console
from modgate.release import ReadinessFormat

app = typer.Typer(help="Release gates: is an evaluated enforcer version ready for production?")

NO_GO_EXIT_CODE = 1


@app.command("check")
def check(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Eval run of the candidate enforcer version."),
    gates: str = typer.Option(..., "--gates", "-g", help="Gate NAME (gates/NAME.yaml) or path."),
    baseline: str | None = typer.Option(
        None, "--baseline", help="Baseline run for regression criteria (same golden version)."
    ),
    policy: str | None = typer.Option(
        None, help="Check this policy's figures and enforcer (needed for multi-policy runs)."
    ),
    fmt: ReadinessFormat = typer.Option(
        ReadinessFormat.TABLE, "--format", "-f", help="table, json or markdown."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Also write to this file."),
) -> None:
    """Check a run against a gate file; exit 0 only on go (1 on no-go)."""
    from modgate.release import (
        check_gates,
        readiness_table,
        render_json,
        render_markdown,
        resolve_gate_path,
    )

    context = get_context(ctx)
    settings = context.settings()
    report = check_gates(
        context.store(),
        run_id,
        resolve_gate_path(gates, settings.workspace),
        actor=settings.actor,
        baseline_run_id=baseline,
        policy=policy,
    )
    if fmt is ReadinessFormat.TABLE:
        console().print(readiness_table(report))
        text = render_markdown(report)
    else:
        text = render_json(report) if fmt is ReadinessFormat.JSON else render_markdown(report)
        sys.stdout.write(text)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    if not report.is_go:
        raise typer.Exit(NO_GO_EXIT_CODE)
