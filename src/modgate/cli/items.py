"""`modgate items`: import exports of content, browse imported items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from modgate.cli._context import get_context
from modgate.cli._import_progress import import_progress, print_import_report
from modgate.cli._output import OutputFormat, write_models, write_records
from modgate.cli._parse import parse_time
from modgate.errors import ImportRejectedError, ValidationError
from modgate.store import InputFormat

app = typer.Typer(help="Items: the content modgate judges.")

_TABLE_TEXT_CHARS = 60
MAX_COUNT = 2**53
"""Largest --limit / --offset accepted (the databases' integers are 64-bit)."""


def _column(field: str) -> Any:
    return typer.Option(
        None, f"--{field.replace('_', '-')}", help=f"Column for the item's {field}."
    )


def _defaults(values: list[str]) -> dict[str, str]:
    from modgate.store import ITEM_FIELDS

    found: dict[str, str] = {}
    for value in values:
        field, sep, constant = value.partition("=")
        if not sep or field not in ITEM_FIELDS:
            raise ValidationError(
                f"--default {value!r}: expected FIELD=VALUE, FIELD one of {', '.join(ITEM_FIELDS)}"
            )
        found[field] = constant
    return found


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV, TSV, JSONL (optionally .gz) or Parquet file."),
    text: str | None = typer.Option(None, "--text", help="Column holding the text (body)."),
    item_id: str | None = typer.Option(None, "--id", help="Column holding the item id."),
    community: str | None = _column("community"),
    created_at: str | None = typer.Option(
        None, "--created-at", help="Column of the creation time (ISO 8601 or epoch seconds)."
    ),
    title: str | None = _column("title"),
    author_id: str | None = _column("author_id"),
    kind: str | None = typer.Option(
        None, "--kind", help="Column of the kind (post, comment, message, other; t1/t3 too)."
    ),
    parent_id: str | None = _column("parent_id"),
    parent_text: str | None = _column("parent_text"),
    url: str | None = _column("url"),
    language: str | None = _column("language"),
    default: list[str] = typer.Option(
        [], "--default", help="FIELD=VALUE used where a field has no column or value (repeatable)."
    ),
    mapping_file: Path | None = typer.Option(
        None, "--mapping", help="YAML mapping file (columns, defaults, drop); flags win over it."
    ),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        help="Where to write rejected rows (default: rejects/FILE.rejects.jsonl in the workspace).",
    ),
    max_text_bytes: int | None = typer.Option(
        None, "--max-text-bytes", min=1, help="Largest text accepted (default: settings)."
    ),
    fmt: InputFormat | None = typer.Option(
        None, "--format", help="Input format (default: from the file name)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Progress bar on stderr for large files."
    ),
) -> None:
    """Import items from an export file; bad rows go to a rejects file (exit 7 if any)."""
    from modgate.store import ItemMapping, import_items, load_mapping_file

    context = get_context(ctx)
    settings = context.settings()
    given = {
        "id": item_id,
        "text": text,
        "title": title,
        "community": community,
        "created_at": created_at,
        "author_id": author_id,
        "kind": kind,
        "parent_id": parent_id,
        "parent_text": parent_text,
        "url": url,
        "language": language,
    }
    flags = ItemMapping.model_validate(
        {
            "columns": {k: v for k, v in given.items() if v is not None},
            "defaults": _defaults(default),
        }
    )
    mapping = load_mapping_file(mapping_file).merged(flags) if mapping_file else flags
    store = context.store()
    with import_progress(file, enabled=progress) as on_progress:
        report = import_items(
            store,
            file,
            actor=settings.actor,
            mapping=mapping,
            fmt=fmt,
            rejects_path=rejects,
            workspace=settings.workspace,
            max_text_bytes=max_text_bytes or settings.max_text_bytes,
            batch_size=settings.batch_size,
            on_progress=on_progress,
        )
    print_import_report(report, as_json=as_json)
    if report.rejected:
        raise ImportRejectedError(
            f"{report.rejected} of {report.rows_read} rows rejected; "
            f"the other {report.accepted} were imported",
            hint=f"each rejected row is in {report.rejects_path} with its line number and reason",
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    community: str | None = typer.Option(None, help="Only this community."),
    since: str | None = typer.Option(None, help="Created at or after (ISO; UTC without zone)."),
    until: str | None = typer.Option(None, help="Created before (ISO; UTC without zone)."),
    text: str | None = typer.Option(None, "--text", help="Case-insensitive text search."),
    limit: int = typer.Option(50, min=1, max=MAX_COUNT, help="Maximum items."),
    offset: int = typer.Option(0, min=0, max=MAX_COUNT, help="Items to skip."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List items, newest first (the table is compact; json and csv have every field)."""
    from modgate.store import list_items

    found = list_items(
        get_context(ctx).store(),
        community=community,
        since=parse_time(since, "--since") if since else None,
        until=parse_time(until, "--until") if until else None,
        text=text,
        limit=limit,
        offset=offset,
    )
    if fmt is OutputFormat.TABLE and output is None:
        if not found:
            write_models(found, fmt, title="items")
            return
        write_records(
            ["id", "kind", "community", "created_at", "text"],
            [
                [
                    item.id,
                    item.kind,
                    item.community,
                    item.created_at.strftime("%Y-%m-%d %H:%M") if item.created_at else None,
                    _shorten(item.text),
                ]
                for item in found
            ],
            fmt,
            title="items",
        )
        return
    write_models(found, fmt, output, title="items")


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _TABLE_TEXT_CHARS else flat[: _TABLE_TEXT_CHARS - 1] + "…"


@app.command("show")
def show(
    ctx: typer.Context,
    item_id: str = typer.Argument(..., help="Item id."),
    fmt: OutputFormat = typer.Option(OutputFormat.JSON, "--format", "-f", help="Output format."),
) -> None:
    """Show one item with every field."""
    from modgate.store import get_item

    write_models([get_item(get_context(ctx).store(), item_id)], fmt, title="item")
