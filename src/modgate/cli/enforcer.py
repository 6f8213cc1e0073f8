"""`modgate enforcer`: register, train, score, list and show enforcers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from modgate.enforce import EnforcerVersion, RegisterResult

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_records
from modgate.errors import ConfigError, ValidationError
from modgate.scale import Engine

app = typer.Typer(help="Enforcers: the catalog of versioned models that judge items.")

_COLUMNS = ("enforcer", "kind", "policy", "artifact_hash", "data_hash", "created_at", "created_by")


def _workspace(ctx: typer.Context) -> Path:
    workspace = get_context(ctx).settings().workspace
    if workspace is None:
        raise ConfigError("enforcers need a workspace (modgate init)")
    return workspace


def _row(v: EnforcerVersion) -> list[Any]:
    return [
        v.ref,
        v.kind,
        v.policy,
        (v.artifact_hash or "")[:16],
        (v.data_hash or "")[:16],
        v.created_at,
        v.created_by,
    ]


def _report(result: RegisterResult) -> None:
    version = result.version
    if result.created:
        console().print(f"registered [bold]{version.ref}[/bold] ({version.version_hash[:16]})")
    else:
        console().print(
            f"unchanged: identical content is already [bold]{version.ref}[/bold] "
            f"({version.version_hash[:16]})"
        )


@app.command("register")
def register(
    ctx: typer.Context,
    spec_file: Path = typer.Argument(..., help="Enforcer spec, e.g. enforcers/NAME.yaml."),
) -> None:
    """Register a spec as a new immutable version (identical content: the existing one)."""
    from modgate.enforce import load_enforcer_spec, register_enforcer

    context = get_context(ctx)
    spec = load_enforcer_spec(spec_file)
    result = register_enforcer(
        context.store(), spec, workspace=_workspace(ctx), actor=context.settings().actor
    )
    _report(result)


@app.command("train")
def train(
    ctx: typer.Context,
    spec_file: Path = typer.Argument(..., help="Classifier spec, e.g. enforcers/NAME.yaml."),
    golden: str | None = typer.Option(
        None,
        "--golden",
        help="Frozen golden version NAME@VERSION: fit on its train split, measure its dev split.",
    ),
    train_file: Path | None = typer.Option(
        None, "--train-file", help="CSV/JSONL/Parquet of text,label[,weight] rows to fit on."
    ),
    dev_file: Path | None = typer.Option(
        None, "--dev-file", help="Held-out text,label rows for the stored dev metrics."
    ),
    policy_examples: bool = typer.Option(
        True,
        "--policy-examples/--no-policy-examples",
        help="Also fit on the published policy's own examples.",
    ),
) -> None:
    """Train a classifier spec, save its artifact with hashes, register a new version."""
    from modgate.enforce import load_enforcer_spec
    from modgate.evaluate import train_enforcer_from_sources

    context = get_context(ctx)
    spec = load_enforcer_spec(spec_file)
    status = err_console().status(f"training {spec.name}")
    fitted: dict[str, dict[str, int]] = {}
    with status:
        result = train_enforcer_from_sources(
            context.store(),
            spec,
            workspace=_workspace(ctx),
            actor=context.settings().actor,
            golden=golden,
            train_file=train_file,
            dev_file=dev_file,
            policy_examples=policy_examples,
            on_start=lambda n: status.update(f"training {spec.name} on {n} rows"),
            on_rows=fitted.update,
        )
    _report(result)
    out = console()
    for source, counts in fitted.items():
        out.print(
            f"fitted on {source}: {counts['violating']} violating, "
            f"{counts['non_violating']} non-violating",
            highlight=False,
        )
    metrics = result.version.metrics
    for warning in metrics.get("training_warnings") or ():
        err_console().print(f"warning: {warning}", highlight=False)
    if metrics.get("n"):

        def show(name: str) -> str:
            value = metrics.get(name)
            return "n/a" if value is None else f"{value:.3f}"

        out.print(
            f"dev: n={metrics['n']} AUPRC={show('average_precision')} "
            f"ROC-AUC={show('roc_auc')} precision={show('precision')} recall={show('recall')} "
            f"f1={show('f1')} ({metrics.get('positives', 0)} violating)",
            highlight=False,
        )
    else:
        out.print("dev: no held-out rows (no dev figures)", highlight=False)


def _bar(ref: str) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    return [TextColumn(f"scoring {ref}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]


@app.command("score")
def score(
    ctx: typer.Context,
    enforcer: str = typer.Argument(..., help="NAME@VERSION (or NAME for the latest)."),
    items: str | None = typer.Option(
        None,
        "--items",
        help="Items to score: a SELECT query or a file of ids (.txt/.csv/.jsonl); default all.",
    ),
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Items per batch."),
    allow_missing: bool = typer.Option(
        False,
        "--allow-missing",
        help="Recorded enforcers: store items absent from the file as error verdicts (review).",
    ),
    engine: Engine = typer.Option(
        Engine.LOCAL, "--engine", help="local: in this process; dask: on a Dask cluster."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="--engine dask: scheduler address (default: a local cluster)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Score items in batches and store the verdicts; re-running resumes where it stopped."""
    from rich.progress import Progress

    from modgate.enforce import get_enforcer_version, load_enforcer, score_items, select_item_ids
    from modgate.scale import dask_client, score_items_distributed

    context = get_context(ctx)
    store = context.store()
    if engine is Engine.DASK:
        version = get_enforcer_version(store, enforcer)
        ids = select_item_ids(store, items)
        with Progress(*_bar(version.ref), console=err_console(), transient=True) as progress:
            task = progress.add_task("score", total=len(ids))
            with dask_client(scheduler) as client:
                distributed = score_items_distributed(
                    store,
                    version,
                    ids,
                    workspace=_workspace(ctx),
                    client=client,
                    batch_size=batch_size,
                    progress=lambda n: progress.advance(task, n),
                )
        dumped = distributed.model_dump()
        write_records(list(dumped), [list(dumped.values())], fmt, title="scoring")
        return
    if scheduler is not None:
        raise ValidationError("--scheduler needs --engine dask")
    version, built = load_enforcer(store, enforcer, workspace=_workspace(ctx))
    ids = select_item_ids(store, items)
    with Progress(*_bar(version.ref), console=err_console(), transient=True) as progress:
        task = progress.add_task("score", total=len(ids))
        result = score_items(
            store,
            version,
            built,
            ids,
            actor=context.settings().actor,
            batch_size=batch_size,
            allow_missing=allow_missing,
            progress=lambda n: progress.advance(task, n),
        )
    dumped = result.model_dump()
    write_records(list(dumped), [list(dumped.values())], fmt, title="scoring")


@app.command("list")
def list_(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="Only this enforcer's versions."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List registered enforcer versions."""
    from modgate.enforce import list_enforcer_versions

    found = list_enforcer_versions(get_context(ctx).store(), name=name)
    if not found and fmt is OutputFormat.TABLE and output is None:
        console().print("[dim]no enforcers registered[/dim]")
        return
    write_records(_COLUMNS, [_row(v) for v in found], fmt, output, title="enforcers")


@app.command("show")
def show(
    ctx: typer.Context,
    enforcer: str = typer.Argument(..., help="NAME@VERSION (or NAME for the latest)."),
    fmt: OutputFormat = typer.Option(OutputFormat.JSON, "--format", "-f", help="Output format."),
) -> None:
    """Show one enforcer version: spec, hashes and dev metrics."""
    from modgate.enforce import get_enforcer_version

    version = get_enforcer_version(get_context(ctx).store(), enforcer)
    data = version.model_dump(mode="json")
    data["ref"] = version.ref
    columns = list(data)
    write_records(columns, [[data[c] for c in columns]], fmt, title=version.ref)
