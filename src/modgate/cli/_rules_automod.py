"""`modgate rules import-automod`: a thin skin over `modgate.enforce.import_automod`."""

from __future__ import annotations

import enum
import re
import sys
from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, write_records
from modgate.errors import ModgateError, ValidationError

_RULE_SET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class ReportFormat(enum.StrEnum):
    """How the import report is printed."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


_COLUMNS = ("index", "line", "status", "action", "rules", "first_line", "reason", "notes")


def import_automod_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="AutoModerator config (YAML from the wiki page)."),
    community: str | None = typer.Option(
        None, "--community", "-c", help="Subreddit the config belongs to; scopes every rule."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Rule set file to write (default: rules/NAME.yaml in the workspace).",
    ),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Also write the report here (.json: JSON, else Markdown; default: next to the "
        "rule set, NAME.automod-report.md).",
    ),
    name: str | None = typer.Option(
        None, "--name", help="Rule set name (default: the community, else the file name)."
    ),
    policy: str | None = typer.Option(
        None, "--policy", help="Default policy (`id@version`) of the rules."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing output files."),
    re2_max_memory_mb: int | None = typer.Option(
        None,
        "--re2-max-memory-mb",
        min=1,
        max=4096,
        help="Memory cap per RE2 program (default 256); larger regex sets are split.",
    ),
    fmt: ReportFormat = typer.Option(
        ReportFormat.TABLE, "--format", "-f", help="How to print the report."
    ),
    all_sections: bool = typer.Option(
        False, "--all", help="Also list ignored sections (blank, comments only)."
    ),
) -> None:
    """Import a Reddit AutoModerator config as a rule set, with a report of every rule."""
    from modgate.enforce.rules.automod import import_automod, render_report, rule_set_name

    cli = get_context(ctx)
    cwd = cli.cwd
    try:
        base = cli.settings().workspace or cwd
    except ModgateError:  # outside a workspace: rules/ under the current folder
        base = cwd
    if name is not None and (not _RULE_SET_NAME.fullmatch(name) or ".." in name):
        raise ValidationError(
            f"--name {name!r} is not a rule set name: letters, digits, '_', '.' and '-', "
            "starting with a letter or digit (it names the file rules/NAME.yaml, not a path)",
            hint="to write elsewhere, pass --output PATH",
        )
    chosen = name or rule_set_name(file, community)
    target = output if output is not None else base / "rules" / f"{chosen}.yaml"
    target = target if target.is_absolute() else cwd / target
    report_path = report or target.with_name(f"{target.stem}.automod-report.md")
    report_path = report_path if report_path.is_absolute() else cwd / report_path
    source = file if file.is_absolute() else cwd / file
    result = import_automod(
        source,
        output=target,
        report=report_path,
        name=chosen,
        community=community,
        policy=policy,
        force=force,
        re2_max_memory_mb=re2_max_memory_mb,
    )
    if fmt is ReportFormat.MARKDOWN:
        sys.stdout.write(result.report.to_markdown())
    elif fmt is ReportFormat.JSON:
        sys.stdout.write(render_report(result, "json"))
    else:
        records = result.report.records(include_ignored=all_sections)
        rows = [[record[c] for c in _COLUMNS] for record in records]
        write_records(_COLUMNS, rows, OutputFormat(fmt.value), title="AutoModerator import")
    if fmt is ReportFormat.TABLE:
        out = console()
        out.print(result.report.summary(), highlight=False, markup=False)
        out.print(f"rule set: {target}\nreport:   {report_path}", highlight=False, markup=False)
