"""`modgate golden`: curate golden sets.

import, export, label, agreement, adjudicate, coverage, check, freeze, list, show, delete.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

from modgate.golden import DIMENSIONS, SPLITS

if TYPE_CHECKING:
    from pydantic import BaseModel

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_models, write_records
from modgate.errors import ImportRejectedError, ValidationError

app = typer.Typer(help="Golden sets: labeled items that teach and judge enforcers.")

_FORMAT = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table, json or csv.")


def parse_label_map(value: str | None) -> dict[str, str]:
    """Parse `--map raw=label,raw2=label2` into a dict (label pairs only).

    Raises:
        ValidationError: A pair is not `raw=label`.
    """
    return parse_maps(value)["label"]


_MAP_KINDS = ("label", "policy", "category")


def parse_maps(value: str | None) -> dict[str, dict[str, str]]:
    """Parse `--map` into label, policy and category maps.

    `raw=label` maps a label; `policy:raw=id` a policy value; `category:raw=criterion` a
    taxonomy category to a criterion id (`-`: no violation).

    Raises:
        ValidationError: A pair is not `[kind:]raw=value`.
    """
    maps: dict[str, dict[str, str]] = {kind: {} for kind in _MAP_KINDS}
    if not value:
        return maps
    for pair in value.split(","):
        raw, sep, mapped = pair.partition("=")
        kind, colon, key = raw.partition(":")
        if not colon or kind.strip() not in _MAP_KINDS:
            kind, key = "label", raw
        if not sep or not key.strip() or not mapped.strip():
            raise ValidationError(
                f"--map: {pair!r} is not [policy:|category:]raw=value "
                "(e.g. hate=violating, policy:HS=hate, category:slur=slur)"
            )
        maps[kind.strip()][key.strip()] = mapped.strip()
    return maps


def _dump(model: BaseModel) -> None:
    sys.stdout.write(model.model_dump_json(indent=2))
    sys.stdout.write("\n")


@app.command("import")
def import_(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set (created if missing)."),
    path: Path = typer.Argument(..., help="CSV, TSV, JSONL (.gz ok) or Parquet file."),
    shape: str = typer.Option(
        "annotations", help="annotations (item × annotator × label rows) or votes (counts)."
    ),
    policy: str | None = typer.Option(None, help="Policy of rows without a policy column."),
    label_map: str | None = typer.Option(
        None,
        "--map",
        help="Mappings: RAW=LABEL (hate=violating), policy:RAW=POLICY_ID, "
        "category:RAW=CRITERION (category:neither=- for no violation).",
    ),
    multi_label: bool = typer.Option(
        False, "--multi-label", help="The label column lists taxonomy categories."
    ),
    category_columns: str | None = typer.Option(
        None, "--category-columns", help="One 0/1 column per category, comma-separated."
    ),
    config: Path | None = typer.Option(None, help="Set config YAML (targets, labels, splits)."),
    rejects: Path | None = typer.Option(None, help="Rejects file (default FILE.rejects.jsonl)."),
    origin: str | None = typer.Option(None, help="Import name (default: the file name)."),
    id_col: str = typer.Option("id", help="Item id column."),
    text_col: str = typer.Option("text", help="Text column."),
    annotator_col: str = typer.Option("annotator", help="Annotator column."),
    label_col: str = typer.Option("label", help="Label column."),
    vote_suffix: str = typer.Option("_votes", help="Suffix of per-class vote columns."),
    tags_col: str = typer.Option("tags", help="Tags column."),
    allowed_col: str = typer.Option("allowed", help="Allowed-context ids column."),
    criteria_col: str = typer.Option("criteria", help="Criteria ids column."),
    source_col: str = typer.Option("source", help="Source column."),
    group_col: str = typer.Option("group", help="Group (thread) column."),
    rationale_col: str = typer.Option("rationale", help="Rationale column."),
    votes_col: str = typer.Option("votes", help="Votes of an anonymous label (annotations)."),
    community_col: str = typer.Option("community", help="Community column."),
    parent_col: str = typer.Option("parent_id", help="Parent item id column (thread)."),
    policy_col: str = typer.Option("policy", help="Policy column."),
    from_tool: str | None = typer.Option(
        None, "--from", help="The file is a labeling tool's export: label-studio or argilla."
    ),
    question: str | None = typer.Option(
        None, help="Label Studio choices control (from_name) or Argilla question to read."
    ),
    text_key: str = typer.Option(
        "text", help="Label Studio data key / Argilla field holding the text."
    ),
) -> None:
    """Import labeled items into a golden set; bad rows go to a rejects file (exit 7)."""
    from modgate.golden import (
        LABELING_TOOLS,
        ImportOptions,
        import_golden_file,
        import_labeling_file,
        load_golden_config,
    )

    if shape not in ("annotations", "votes"):
        raise ValidationError(f"--shape: {shape!r} is not annotations or votes")
    cli = get_context(ctx)
    maps = parse_maps(label_map)
    options = ImportOptions(
        shape="votes" if shape == "votes" else "annotations",
        policy=policy,
        label_map=maps["label"],
        policy_map=maps["policy"],
        category_map=maps["category"],
        multi_label=multi_label,
        category_columns=tuple(c.strip() for c in (category_columns or "").split(",") if c.strip()),
        origin=origin,
        id_column=id_col,
        text_column=text_col,
        annotator_column=annotator_col,
        label_column=label_col,
        vote_suffix=vote_suffix,
        tags_column=tags_col,
        allowed_column=allowed_col,
        criteria_column=criteria_col,
        source_column=source_col,
        group_column=group_col,
        rationale_column=rationale_col,
        votes_column=votes_col,
        community_column=community_col,
        parent_column=parent_col,
        policy_column=policy_col,
    )
    if from_tool is not None:
        if from_tool not in LABELING_TOOLS:
            raise ValidationError(
                f"--from: {from_tool!r} is not one of {', '.join(LABELING_TOOLS)}"
            )
        result = import_labeling_file(
            cli.store(),
            name,
            path,
            "label-studio" if from_tool == "label-studio" else "argilla",
            options,
            actor=cli.settings().actor,
            config=load_golden_config(config) if config else None,
            rejects_path=rejects,
            text_key=text_key,
            question=question,
        )
    else:
        result = import_golden_file(
            cli.store(),
            name,
            path,
            options,
            actor=cli.settings().actor,
            config=load_golden_config(config) if config else None,
            rejects_path=rejects,
        )
    console().print(
        f"[bold]{name}[/bold]: {result.items} items, {result.annotations} annotations "
        f"({result.votes} votes) from {result.rows} rows; items table: "
        f"{result.items_written.inserted} new, {result.items_written.updated} updated, "
        f"{result.items_written.unchanged} unchanged",
        highlight=False,
    )
    for warning in result.warnings:
        err_console().print(f"warning: {warning}", highlight=False)
    if result.rejected:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(result.reject_reasons.items()))
        raise ImportRejectedError(
            f"{result.rejected} rows rejected ({reasons}); see {result.rejects_path}",
            hint="fix them and import the rejects file or the original again",
        )


@app.command("export")
def export(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Golden set, or NAME@VERSION for a frozen version."),
    path: Path = typer.Argument(..., help="Output file (.csv, .jsonl or .parquet)."),
    shape: str = typer.Option("annotations", help="annotations or votes (sets only)."),
    split: str | None = typer.Option(None, help="Only this split (versions only)."),
    file_format: str | None = typer.Option(None, help="csv, jsonl or parquet (default: suffix)."),
    to_tool: str | None = typer.Option(
        None, "--to", help="Write a labeling tool's file: label-studio or argilla (sets only)."
    ),
) -> None:
    """Export a golden set (its labels) or a frozen version (its rows with splits)."""
    from modgate.golden import (
        LABELING_TOOLS,
        export_golden_set,
        export_golden_version,
        export_labeling_file,
        golden_version_rows,
    )

    store = get_context(ctx).store()
    if to_tool is not None:
        if to_tool not in LABELING_TOOLS or "@" in ref:
            raise ValidationError(
                f"--to takes one of {', '.join(LABELING_TOOLS)} and a golden set name (no @)"
            )
        tool: Literal["label-studio", "argilla"] = (
            "label-studio" if to_tool == "label-studio" else "argilla"
        )
        count = export_labeling_file(store, ref, path, tool)
        err_console().print(f"wrote {count} items to {path}")
        return
    if "@" in ref:
        count = export_golden_version(
            iter(golden_version_rows(store, ref, split)), path, fmt=file_format
        )
    else:
        if shape not in ("annotations", "votes"):
            raise ValidationError(f"--shape: {shape!r} is not annotations or votes")
        chosen: Literal["annotations", "votes"] = "votes" if shape == "votes" else "annotations"
        count = export_golden_set(store, ref, path, shape=chosen, fmt=file_format)
    err_console().print(f"wrote {count} rows to {path}")


@app.command("label")
def label(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    item_id: str = typer.Argument(..., help="Item id."),
    value: str = typer.Argument(..., help="Label."),
    annotator: str | None = typer.Option(None, help="Annotator id (default: you)."),
    rationale: str | None = typer.Option(None, help="Why."),
) -> None:
    """Add (or replace) one annotator's label for an item."""
    from modgate.golden import add_annotation

    cli = get_context(ctx)
    actor = cli.settings().actor
    add_annotation(
        cli.store(),
        name,
        item_id,
        label=value,
        annotator=annotator or actor,
        rationale=rationale,
        actor=actor,
    )
    console().print(f"{item_id}: {annotator or actor} → {value}", highlight=False)


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    annotators: bool = typer.Option(
        False, "--annotators", help="List annotators against gold instead of the figures."
    ),
    flag_margin: float = typer.Option(0.2, help="Flag annotators this far below the median."),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """Agreement: Fleiss' kappa, Krippendorff's alpha, Cohen's kappa per annotator pair."""
    from modgate.golden import golden_agreement

    report = golden_agreement(get_context(ctx).store(), name, flag_margin=flag_margin)
    if fmt is OutputFormat.JSON:
        _dump(report)
        return
    if annotators:
        write_models(list(report.annotators), fmt, title=f"annotators vs gold ({report.rule})")
        return
    write_models(list(report.results), fmt, title=f"agreement of {name}")


@app.command("adjudicate")
def adjudicate(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    item_id: str | None = typer.Option(None, "--item", help="Item to set the gold label of."),
    value: str | None = typer.Option(None, "--label", help="Gold label (with --item)."),
    reason: str | None = typer.Option(None, help="Why (required with --item)."),
    method: str | None = typer.Option(
        None, help="Resolve the whole queue automatically: majority or dawid-skene."
    ),
    history: bool = typer.Option(False, "--history", help="Show the adjudication history."),
    limit: int | None = typer.Option(None, min=1, help="Show at most this many queue items."),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """List the disagreement queue, set a gold label with a reason, or resolve automatically."""
    from modgate.golden import (
        adjudication_history,
        adjudication_queue,
        auto_adjudicate,
        set_gold_label,
    )

    cli = get_context(ctx)
    store = cli.store()
    if item_id is not None or value is not None:
        if item_id is None or value is None:
            raise ValidationError("--item and --label go together")
        change = set_gold_label(
            store, name, item_id, value, reason=reason or "", actor=cli.settings().actor
        )
        write_models([change], fmt, title="adjudication")
        return
    if method is not None:
        if method not in ("majority", "dawid-skene"):
            raise ValidationError(f"--method: {method!r} is not majority or dawid-skene")
        result = auto_adjudicate(
            store,
            name,
            method="majority" if method == "majority" else "dawid-skene",
            actor=cli.settings().actor,
        )
        write_models([result], fmt, title="automatic adjudication")
        return
    if history:
        write_models(adjudication_history(store, name, item_id), fmt, title="history")
        return
    write_models(adjudication_queue(store, name, limit=limit), fmt, title="disagreement queue")


@app.command("coverage")
def coverage(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    by: str = typer.Option(
        ",".join(DIMENSIONS), help=f"Dimensions to count by, among {', '.join(DIMENSIONS)}."
    ),
    gaps: bool = typer.Option(False, "--gaps", help="List the targets (and gaps) only."),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """Count items per policy × label × criterion × allowed × community × tag; list gaps."""
    from modgate.golden import golden_coverage

    dims = [d.strip() for d in by.split(",") if d.strip()]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ValidationError(f"--by: unknown {unknown}; expected among {list(DIMENSIONS)}")
    report = golden_coverage(get_context(ctx).store(), name, by=dims)  # type: ignore[arg-type]
    if fmt is OutputFormat.JSON:
        _dump(report)
        return
    if not gaps:
        columns = [*report.by, "count"]
        rows = [[getattr(c, d) for d in columns] for c in report.cells]
        write_records(columns, rows, fmt, title=f"coverage of {name} ({report.items} items)")
    if gaps or fmt is OutputFormat.TABLE:
        write_models(list(report.targets), fmt, title="targets")


def _findings(report: Any) -> tuple[list[str], list[list[Any]]]:
    columns = ["check", "item_id", "other", "value", "detail"]
    rows: list[list[Any]] = []
    for p in report.near_duplicates:
        kind = "exact" if p.exact else "near"
        rows.append(["near_duplicate", p.first, p.second, round(p.similarity, 3), kind])
    for c in report.conflicts:
        rows.append(["label_conflict", c.cluster, ";".join(c.items), len(c.items), c.labels])
    for leak in report.leaks:
        rows.append(["leak", leak.item_id, leak.training_id, round(leak.similarity, 3), leak.exact])
    for b in report.balance:
        detail = {"labels": b.labels, "single_class": b.single_class}
        rows.append(["source_balance", b.source, "", round(b.majority_share, 3), detail])
    return columns, rows


@app.command("check")
def check(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    against: str | None = typer.Option(None, help="Training golden set to check leakage into."),
    training_file: Path | None = typer.Option(None, help="Training file (id, text columns)."),
    threshold: float | None = typer.Option(None, help="Near-duplicate Jaccard threshold."),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """Near-duplicates, conflicting labels on duplicates, leakage, class balance by source."""
    from modgate.golden import check_golden_set

    report = check_golden_set(
        get_context(ctx).store(),
        name,
        training_set=against,
        training_file=training_file,
        threshold=threshold,
    )
    if fmt is OutputFormat.JSON:
        _dump(report)
        return
    columns, rows = _findings(report)
    if fmt is OutputFormat.CSV:
        write_records(columns, rows, fmt)
        return
    out = console()
    out.print(
        f"[bold]{name}[/bold]: {report.items} items; {len(report.near_duplicates)} duplicate "
        f"pairs, {len(report.conflicts)} conflicting clusters, {len(report.leaks)} leaks"
        + ("" if report.training_rows is None else f" (vs {report.training_rows} rows)")
        + f", {sum(b.single_class for b in report.balance)} single-class sources",
        highlight=False,
    )
    write_records(columns, rows[:200], fmt, title="findings (first 200; --format csv for all)")


@app.command("freeze")
def freeze(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set."),
    require_resolved: bool = typer.Option(
        False, "--require-resolved", help="Fail instead of leaving unresolved items out."
    ),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """Freeze the set into an immutable, content-hashed version with grouped splits."""
    from modgate.golden import freeze_golden_set

    cli = get_context(ctx)
    result = freeze_golden_set(
        cli.store(), name, actor=cli.settings().actor, require_resolved=require_resolved
    )
    if fmt is OutputFormat.JSON:
        _dump(result)
        return
    v = result.version
    rows = [[v.ref, v.content_hash, v.item_count, result.created, result.unresolved]]
    rows[0].append(result.split_counts)
    write_records(
        ["version", "content_hash", "items", "created", "unresolved", "splits"],
        rows,
        fmt,
        title="frozen",
    )


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = _FORMAT) -> None:
    """List golden sets with item, unresolved and version counts."""
    from modgate.golden import list_golden_sets

    sets = list_golden_sets(get_context(ctx).store())
    columns = ["name", "items", "unresolved", "versions", "created_by", "updated_at"]
    write_records(
        columns, [[getattr(s, c) for c in columns] for s in sets], fmt, title="golden sets"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Golden set, or NAME@VERSION for a frozen version."),
    rows: bool = typer.Option(False, "--rows", help="List the version's rows."),
    split: str | None = typer.Option(None, help=f"Only this split ({', '.join(SPLITS)})."),
    fmt: OutputFormat = _FORMAT,
) -> None:
    """Show a golden set (labels, versions) or a frozen version (hash, splits, rows)."""
    from modgate.golden import get_golden_version, golden_version_rows, show_golden_set

    store = get_context(ctx).store()
    if "@" in ref or rows:
        if rows:
            write_models(golden_version_rows(store, ref, split), fmt, title=ref)
            return
        version = get_golden_version(store, ref)
        if fmt is OutputFormat.JSON:
            _dump(version)
            return
        write_models([version], fmt, title=version.ref)
        return
    detail = show_golden_set(store, ref)
    if fmt is OutputFormat.JSON:
        _dump(detail)
        return
    write_records(
        ["label", "items"],
        [[k, v] for k, v in detail.gold_labels.items()],
        fmt,
        title=f"{ref}: {detail.set.items} items, {detail.annotations} annotations, "
        f"{detail.annotators} named annotators",
    )
    if fmt is OutputFormat.TABLE:
        write_models(list(detail.versions), fmt, title="versions")


@app.command("delete")
def delete(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Golden set to delete."),
    force: bool = typer.Option(
        False, "--force", help="Delete even though eval runs were computed on its versions."
    ),
) -> None:
    """Delete a golden set with its labels and frozen versions (items stay; audited)."""
    from modgate.golden import delete_golden_set

    cli = get_context(ctx)
    result = delete_golden_set(cli.store(), name, actor=cli.settings().actor, force=force)
    versions = result.deleted.get("golden_versions", 0)
    console().print(
        f"deleted golden set {name}: {result.deleted.get('golden_items', 0)} items' labels, "
        f"{versions} frozen version(s)"
        + (f"; {len(result.eval_runs)} eval run(s) still name it" if result.eval_runs else ""),
        highlight=False,
    )
