"""Go/no-go readiness reports, bound to the enforcer version, golden version and gate file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rich.table import Table

from modgate.errors import StaleReportError
from modgate.release._choices import ReadinessFormat as ReadinessFormat
from modgate.release._gates import GateResult


class ReadinessReport(BaseModel):
    """The answer to "is this enforcer version ready for production?", with its evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Report id."""
    run_id: str
    """Eval run the gate was checked on."""
    enforcer: str
    """`name@version` of the candidate enforcer."""
    enforcer_version_hash: str
    """Hash of that enforcer version: the report is valid for it only."""
    golden: str
    """`name@version` of the golden set."""
    golden_hash: str
    """Hash of the frozen golden version: the report is valid for it only."""
    gate_name: str
    """Gate name."""
    gate_hash: str
    """sha256 of the gate file's text: the report is valid for that text only."""
    baseline_run_id: str | None
    """Baseline run of regression criteria."""
    verdict: Literal["go", "no-go"]
    """`go` only when every criterion passed."""
    results: tuple[GateResult, ...]
    """One result per criterion."""
    created_at: datetime
    """When the report was made (UTC)."""
    created_by: str
    """Who made it."""

    @property
    def is_go(self) -> bool:
        """Whether the verdict is go."""
        return self.verdict == "go"


def build_readiness_report(
    *,
    report_id: str,
    run_id: str,
    enforcer: str,
    enforcer_version_hash: str,
    golden: str,
    golden_hash: str,
    gate_name: str,
    gate_hash: str,
    results: Sequence[GateResult],
    created_at: datetime,
    created_by: str,
    baseline_run_id: str | None = None,
) -> ReadinessReport:
    """Assemble a report; the verdict is `go` only when every result passed."""
    verdict: Literal["go", "no-go"] = (
        "go" if results and all(r.passed for r in results) else "no-go"
    )
    return ReadinessReport(
        id=report_id,
        run_id=run_id,
        enforcer=enforcer,
        enforcer_version_hash=enforcer_version_hash,
        golden=golden,
        golden_hash=golden_hash,
        gate_name=gate_name,
        gate_hash=gate_hash,
        baseline_run_id=baseline_run_id,
        verdict=verdict,
        results=tuple(results),
        created_at=created_at,
        created_by=created_by,
    )


def verify_report(
    report: ReadinessReport, enforcer_hash: str, golden_hash: str, gate_hash: str
) -> None:
    """Refuse a report that was computed for another enforcer version, golden version or gate.

    A deployment calls this with the hashes of what it is about to activate, so a stale or
    foreign report cannot open the gate.

    Raises:
        StaleReportError: A hash differs (every difference is named), or the verdict is no-go.
    """
    problems = []
    for what, expected, found in (
        ("enforcer version", enforcer_hash, report.enforcer_version_hash),
        ("golden version", golden_hash, report.golden_hash),
        ("gate file", gate_hash, report.gate_hash),
    ):
        if expected != found:
            problems.append(f"{what} hash {found[:12]} (report) != {expected[:12]} (given)")
    if problems:
        raise StaleReportError(
            f"gate report {report.id} was computed for another " + "; ".join(problems),
            hint="re-run `modgate gate check` on a run of this enforcer and golden version",
        )
    if not report.is_go:
        raise StaleReportError(f"gate report {report.id} says no-go")


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _interval(result: GateResult) -> str:
    if result.lower is None or result.upper is None:
        return ""
    return f"[{result.lower:.4g}, {result.upper:.4g}]"


def render_markdown(report: ReadinessReport) -> str:
    """The report as Markdown."""
    mark = "GO" if report.is_go else "NO-GO"
    lines = [
        f"# Readiness: **{mark}** — {report.enforcer} / gate {report.gate_name}",
        "",
        f"- run `{report.run_id}`, golden `{report.golden}`"
        + (f", baseline `{report.baseline_run_id}`" if report.baseline_run_id else ""),
        f"- bound to: enforcer `{report.enforcer_version_hash[:12]}`, golden "
        f"`{report.golden_hash[:12]}`, gate file `{report.gate_hash[:12]}`",
        f"- report `{report.id}` by {report.created_by} at {report.created_at.isoformat()}",
        "",
        "| criterion | requirement | measured | interval | n | result | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        lines.append(
            f"| {r.id} | {r.requirement} | {_fmt(r.measured)} | {_interval(r)} | "
            f"{'' if r.support is None else r.support} | {'pass' if r.passed else '**FAIL**'} | "
            f"{r.evidence} |"
        )
    return "\n".join(lines) + "\n"


def render_json(report: ReadinessReport) -> str:
    """The report as JSON."""
    return report.model_dump_json(indent=2) + "\n"


def readiness_table(report: ReadinessReport) -> Table:
    """The report as a Rich table for the terminal."""
    verdict = "[bold green]GO[/]" if report.is_go else "[bold red]NO-GO[/]"
    table = Table(
        title=f"{verdict}  {report.enforcer} on {report.golden} · gate {report.gate_name}",
        caption=(
            f"run {report.run_id} · report {report.id} · hashes enforcer "
            f"{report.enforcer_version_hash[:12]} golden {report.golden_hash[:12]} gate "
            f"{report.gate_hash[:12]}"
        ),
    )
    for column in ("criterion", "requirement", "measured", "interval", "n", "result", "evidence"):
        table.add_column(column, overflow="fold")
    for r in report.results:
        table.add_row(
            r.id,
            r.requirement,
            _fmt(r.measured),
            _interval(r),
            "" if r.support is None else str(r.support),
            "[green]pass[/]" if r.passed else "[red]FAIL[/]",
            r.evidence,
        )
    return table


__all__ = [
    "ReadinessFormat",
    "ReadinessReport",
    "build_readiness_report",
    "readiness_table",
    "render_json",
    "render_markdown",
    "verify_report",
]
