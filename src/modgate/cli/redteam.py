"""`modgate redteam`: attack an enforcer version with perturbations; attack success rates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, write_records
from modgate.errors import ValidationError

if TYPE_CHECKING:
    from modgate.redteam import RedteamReport

app = typer.Typer(help="Red-team: perturbations, attack success rates, new false positives.")


def _rows(report: RedteamReport) -> list[list[object]]:
    rows: list[list[object]] = []
    for kind, figures in (
        ("attack_success", report.figures.attack_success),
        ("new_false_positive", report.figures.new_false_positives),
    ):
        for f in figures:
            rows.append([kind, f.family, f.scope, f.count, f.total, f.value, f.lower, f.upper])
    return rows


@app.command("run")
def run(
    ctx: typer.Context,
    enforcer: str = typer.Argument(..., help="Enforcer: NAME@VERSION (or NAME for the latest)."),
    golden: str = typer.Argument(..., help="Frozen golden version: NAME@VERSION."),
    perturbations: str | None = typer.Option(
        None,
        "--perturbations",
        "-p",
        help="Comma-separated names or families (normalized, held_out, llm); default: all "
        "that need no LLM endpoint.",
    ),
    budget: int = typer.Option(1, "--budget", min=1, help="Attempts per item and perturbation."),
    seed: int = typer.Option(0, help="Seed of every perturbation."),
    split: str = typer.Option("test", help="Split of the golden version to attack."),
    confidence: float = typer.Option(0.95, min=0.5, max=0.999, help="Interval confidence."),
    examples: int = typer.Option(10, min=0, help="Cheapest successful attacks to keep."),
    fmt: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", "-f", help="table, json or csv."
    ),
    output: Path | None = typer.Option(
        None, "--markdown", help="Also write the report section (Markdown) to this file."
    ),
    llm_model: str | None = typer.Option(
        None, "--llm-model", help="Model of the llm_paraphrase / llm_coded rewrites."
    ),
    llm_base_url: str | None = typer.Option(
        None, "--llm-base-url", help="OpenAI-compatible endpoint (default MODGATE_LLM_BASE_URL)."
    ),
) -> None:
    """Perturb the split's items, score them again, report attack success per family."""
    from modgate.evaluate import eval_sources
    from modgate.redteam import run_redteam

    if "@" not in golden:
        raise ValidationError(f"GOLDEN must be NAME@VERSION, got {golden!r}")
    context = get_context(ctx)
    settings = context.settings()
    store = context.store()
    chosen = [p.strip() for p in perturbations.split(",") if p.strip()] if perturbations else None
    report = run_redteam(
        store,
        eval_sources(store, workspace=settings.workspace),
        enforcer,
        golden,
        actor=settings.actor,
        perturbations=chosen,
        budget=budget,
        seed=seed,
        split=split,
        confidence=confidence,
        examples=examples,
        llm=_llm_params(llm_model, llm_base_url),
    )
    _print_report(report, fmt, output)


def _llm_params(model: str | None, base_url: str | None) -> dict[str, str] | None:
    if model is None:
        return None
    return {"model": model, **({"base_url": base_url} if base_url else {})}


def _print_report(report: RedteamReport, fmt: OutputFormat, output: Path | None) -> None:
    from modgate.redteam import render_redteam_section

    if output is not None:
        output.write_text(render_redteam_section(report), encoding="utf-8")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    if fmt is OutputFormat.TABLE:
        out = console()
        for line in report.summary_lines():
            out.print(line, highlight=False, markup=False)
        out.print(f"clean eval run: {report.eval_run_id}", highlight=False)
    columns = ["measure", "family", "scope", "count", "total", "rate", "lower", "upper"]
    write_records(columns, _rows(report), fmt, title="attack success and new false positives")


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Red-team run id (`redteam-…`)."),
    fmt: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", "-f", help="table, json or csv."
    ),
    output: Path | None = typer.Option(
        None, "--markdown", help="Also write the report section (Markdown) to this file."
    ),
) -> None:
    """Show a stored red-team run: rates by family and scope, cheapest attacks."""
    from modgate.redteam import get_redteam_run

    _print_report(get_redteam_run(get_context(ctx).store(), run_id), fmt, output)


@app.command("list")
def list_runs(
    ctx: typer.Context,
    enforcer: str | None = typer.Option(None, help="Only runs of this NAME@VERSION."),
    fmt: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", "-f", help="table, json or csv."
    ),
) -> None:
    """Stored red-team runs, newest first, with the overall rate of each family."""
    from modgate.redteam import list_redteam_runs

    reports = list_redteam_runs(get_context(ctx).store(), enforcer=enforcer)
    columns = ["id", "enforcer", "golden", "created_at", "caught", "asr_all", "asr_normalized",
               "asr_held_out", "eval_run_id"]  # fmt: skip
    rows = []
    for r in reports:
        rates = [r.figures.attack_success_rate(f) for f in ("all", "normalized", "held_out")]
        rows.append(
            [r.id, r.enforcer, r.golden, r.created_at.isoformat(), r.n_caught,
             *(None if f is None else f.value for f in rates), r.eval_run_id]
        )  # fmt: skip
    write_records(columns, rows, fmt, title="red-team runs")


@app.command("add-to-golden")
def add_to_golden(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Red-team run id (`redteam-…`)."),
    golden_set: str = typer.Argument(..., help="Golden set to add the adversarial slice to."),
) -> None:
    """Add a run's successful attacks to a golden set as an `adversarial`-tagged slice."""
    from modgate.redteam import add_adversarial_slice

    context = get_context(ctx)
    result = add_adversarial_slice(
        context.store(), run_id, golden_set, actor=context.settings().actor
    )
    console().print(
        f"added {result.items} adversarial item(s) to {result.set_name} "
        f"({result.rejected} rejected); freeze the set to use them",
        highlight=False,
    )
