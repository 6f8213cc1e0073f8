"""`modgate decisions`: the decision log's exports (statements of reasons)."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import err_console

app = typer.Typer(help="Decisions: export statements of reasons for removals (EU DSA).")


@app.command("export-sor")
def export_sor(
    ctx: typer.Context,
    since: str | None = typer.Option(None, help="Removals decided at or after this time."),
    until: str | None = typer.Option(None, help="Removals decided before this time."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write JSONL here (default: stdout)."
    ),
    terms_url: str | None = typer.Option(None, help="URL of the terms and conditions."),
    territory: list[str] | None = typer.Option(
        None, "--territory", help="EEA country code where removals apply (repeatable; default all)."
    ),
    legal_ground: list[str] | None = typer.Option(
        None, "--legal-ground", help="POLICY=LAW: removals under POLICY are illegal content."
    ),
) -> None:
    """Export every removal as a statement of reasons (JSONL, validated against the schema)."""
    import json
    import sys

    from modgate.cli._parse import parse_time
    from modgate.errors import ValidationError
    from modgate.review import EEA, SorOptions, count_statements, export_statements

    grounds: dict[str, str] = {}
    for value in legal_ground or ():
        policy, sep, law = value.partition("=")
        if not sep or not policy or not law:
            raise ValidationError(f"--legal-ground {value!r}: expected POLICY=LAW")
        grounds[policy] = law
    try:
        options = SorOptions(
            terms_url=terms_url,
            territorial_scope=tuple(t.upper() for t in territory) if territory else EEA,
            legal_grounds=grounds,
        )
    except ValueError as exc:
        raise ValidationError(f"invalid option: {exc}") from exc
    unknown = [t for t in options.territorial_scope if t not in EEA]
    if unknown:
        raise ValidationError(f"--territory {unknown}: not EEA country codes", hint=" ".join(EEA))
    store = get_context(ctx).store()
    start = parse_time(since, "--since") if since else None
    end = parse_time(until, "--until") if until else None
    errors = err_console()
    show = out is not None and errors.is_terminal
    written = 0
    target = out.open("w", encoding="utf-8") if out is not None else sys.stdout
    try:
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            total = count_statements(store, since=start, until=end)
            with Progress(
                TextColumn("[bold]statements of reasons[/bold]"), BarColumn(),
                MofNCompleteColumn(), console=errors, transient=True,
            ) as bar:  # fmt: skip
                task = bar.add_task("export", total=total)
                for record in export_statements(store, since=start, until=end, options=options):
                    target.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
                    bar.update(task, completed=written)
        else:
            for record in export_statements(store, since=start, until=end, options=options):
                target.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    finally:
        if out is not None:
            target.close()
    errors.print(f"{written} statement(s) of reasons" + (f" written to {out}" if out else ""))
