"""`modgate review`: the human review queue from the terminal (the library is modgate.review)."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, write_models, write_records

app = typer.Typer(help="Human review queue: sync, list queues, claim, show, decide, undo.")

_QUEUE_HELP = "Only this queue: POLICY or POLICY/COMMUNITY (repeatable; `-` is no community)."


def _queues(values: list[str] | None) -> list[object] | None:
    from modgate.review import QueueKey

    if not values:
        return None
    out: list[object] = []
    for value in values:
        policy, sep, community = value.partition("/")
        if not policy:
            from modgate.errors import ValidationError

            raise ValidationError(f"--queue {value!r}: expected POLICY or POLICY/COMMUNITY")
        out.append(
            QueueKey(policy=policy, community=None if not sep or community == "-" else community)
        )
    return out


def _reviewer(ctx: typer.Context, reviewer: str | None) -> str:
    return reviewer or get_context(ctx).settings().actor


@app.command("sync")
def sync(
    ctx: typer.Context,
    since: str | None = typer.Option(None, help="Reread decisions made at or after this time."),
) -> None:
    """Queue the decisions routed to review (uncertain, LLM errors, shadow disagreement)."""
    from modgate.cli._parse import parse_time
    from modgate.review import sync_from_decisions

    created = sync_from_decisions(
        get_context(ctx).store(), since=parse_time(since, "--since") if since else None
    )
    typer.echo(f"{created} task(s) queued")


@app.command("queues")
def queues(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List queues (policy × community) with open and claimed counts, age and top priority."""
    from modgate.review import list_queues

    found = list_queues(get_context(ctx).store())
    columns = ["policy", "community", "open", "claimed", "oldest_enqueued_at", "max_priority"]
    rows = [
        [s.key.policy, s.key.community, s.open, s.claimed, s.oldest_enqueued_at, s.max_priority]
        for s in found
    ]
    write_records(columns, rows, fmt, output, title="review queues")


@app.command("tasks")
def tasks(
    ctx: typer.Context,
    queue: str | None = typer.Option(None, help="POLICY or POLICY/COMMUNITY."),
    status: str | None = typer.Option(None, help="open, claimed or decided."),
    limit: int = typer.Option(100, min=1, help="Maximum tasks."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List tasks, highest priority then oldest first."""
    from modgate.review import list_tasks

    keys = _queues([queue] if queue else None)
    found = list_tasks(
        get_context(ctx).store(),
        queue=keys[0] if keys else None,  # type: ignore[arg-type]
        status=status,
        limit=limit,
    )
    write_models(found, fmt, output, title="review tasks")


@app.command("claim")
def claim(
    ctx: typer.Context,
    queue: list[str] | None = typer.Option(None, "--queue", "-q", help=_QUEUE_HELP),
    reviewer: str | None = typer.Option(None, help="Who claims (default: MODGATE_USER)."),
    timeout: int | None = typer.Option(
        None, min=10, help="Claim timeout in seconds (default: the review config's)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Claim the next task (exclusive until decided or the claim times out)."""
    from datetime import timedelta

    from modgate.review import claim_next, review_config

    store = get_context(ctx).store()
    seconds = timeout or review_config(store).claim_timeout_s
    task = claim_next(
        store,
        _reviewer(ctx, reviewer),
        queues=_queues(queue),  # type: ignore[arg-type]
        claim_timeout=timedelta(seconds=seconds),
    )
    if task is None:
        typer.echo("nothing to review")
        return
    write_models([task], fmt, None, title="claimed")


@app.command("show")
def show(
    ctx: typer.Context,
    task_id: int = typer.Argument(..., help="Task id."),
    reveal: bool = typer.Option(
        False, "--reveal", help="Show masked spans (counted in the reviewer's exposure)."
    ),
    reviewer: str | None = typer.Option(None, help="Who looks (default: MODGATE_USER)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table or json."),
) -> None:
    """Show a task's text (sensitive spans masked), context, verdicts and the policy."""
    import json

    from modgate.review import mask_text, record_reveal, review_context

    store = get_context(ctx).store()
    context = review_context(store, task_id)
    if reveal:
        record_reveal(store, _reviewer(ctx, reviewer), task_id)
    text = context.item.text if reveal else mask_text(context.item.text, context.sensitive_spans)
    if fmt is OutputFormat.JSON:
        data = context.model_dump(mode="json")
        data["text"] = text
        if not reveal:
            data["item"]["body"] = mask_text(context.item.body, _body_spans(context))
            data["item"]["title"] = None if context.item.title is None else "(masked)"
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    t = context.task
    typer.echo(f"task {t.id} [{t.source}] {t.policy} / {t.community or '-'}  priority {t.priority}")
    typer.echo(f"item {context.item.id} ({context.item.kind}) by {context.item.author_id or '?'}")
    if context.item.author is not None:
        typer.echo(f"author: {context.item.author.model_dump(exclude_none=True)}")
    if context.parent_text:
        typer.echo(f"parent: {context.parent_text}")
    typer.echo(f"\n{text}\n")
    for v in context.verdicts:
        score = "-" if v.score is None else f"{v.score:.3f}"
        line = f"  {v.enforcer}: {v.action} score {score} criteria {list(v.criteria)}"
        typer.echo(line + (f" error {v.error}" if v.error else ""))
        if v.rationale:
            typer.echo(f"    {v.rationale}")
    typer.echo(f"\npolicy: {context.policy_title}")
    for cid, ctext in context.criteria:
        typer.echo(f"  violates {cid}: {ctext}")
    for aid, atext in context.allowed:
        typer.echo(f"  allowed {aid}: {atext}")
    if context.first_review is not None:
        r = context.first_review
        typer.echo(f"\nappealed review by {r.reviewer}: {r.label} ({r.note or 'no note'})")


def _body_spans(context: object) -> tuple[tuple[int, int], ...]:
    from modgate.review import ReviewContext

    assert isinstance(context, ReviewContext)
    offset = len(context.item.title) + 1 if context.item.title else 0
    return tuple((a - offset, b - offset) for a, b in context.sensitive_spans if b > offset)


@app.command("decide")
def decide(
    ctx: typer.Context,
    task_id: int = typer.Argument(..., help="Task id (claimed by you)."),
    label: str = typer.Argument(..., help="violating or non_violating."),
    criterion: list[str] | None = typer.Option(
        None, "--criterion", "-c", help="A criterion id that applies (repeatable)."
    ),
    note: str | None = typer.Option(None, help="Why."),
    reviewer: str | None = typer.Option(None, help="Who decides (default: MODGATE_USER)."),
) -> None:
    """Decide a claimed task: violating (remove) or non_violating (allow)."""
    from modgate.review import decide as decide_task

    result = decide_task(
        get_context(ctx).store(),
        task_id,
        _reviewer(ctx, reviewer),
        label=label,  # type: ignore[arg-type]
        criteria=criterion or (),
        note=note,
    )
    flag = " (overturns the automated label)" if result.overturned else ""
    typer.echo(f"task {task_id}: {result.label} → {result.action}{flag}")


@app.command("undo")
def undo(
    ctx: typer.Context,
    reviewer: str | None = typer.Option(None, help="Whose decision (default: MODGATE_USER)."),
) -> None:
    """Undo your last decision: the task reopens, claimed by you."""
    from modgate.review import undo_last

    task = undo_last(get_context(ctx).store(), _reviewer(ctx, reviewer))
    typer.echo("nothing to undo" if task is None else f"task {task.id} reopened, claimed by you")


@app.command("exposure")
def exposure(
    ctx: typer.Context,
    reviewer: str | None = typer.Option(None, help="Whose counts (default: MODGATE_USER)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Show a reviewer's exposure: texts unmasked (per policy) and items decided."""
    from modgate.review import exposure_counts

    counts = exposure_counts(get_context(ctx).store(), _reviewer(ctx, reviewer))
    write_records(["measure", "count"], sorted(counts.items()), fmt, None, title="exposure")


@app.command("configure")
def configure(
    ctx: typer.Context,
    golden_set: str | None = typer.Option(None, help="Golden set review decisions go to."),
    sample_rate: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Share of decisions written as golden annotations."
    ),
    policy_rate: list[str] | None = typer.Option(
        None, "--policy-rate", help="POLICY=RATE overriding the rate for one policy (repeatable)."
    ),
    seed: str | None = typer.Option(None, help="Salt of the sampling hash."),
    appeals_golden_set: str | None = typer.Option(None, help="Golden set of appeal candidates."),
    claim_timeout: int | None = typer.Option(None, min=10, help="Default claim timeout (s)."),
) -> None:
    """Set where review decisions become golden annotations, the sampling rate, claim timeout."""
    from modgate.errors import ValidationError
    from modgate.review import configure_review, review_config

    context = get_context(ctx)
    store = context.store()
    current = review_config(store)
    rates = dict(current.sample_rates)
    for value in policy_rate or ():
        policy, sep, rate = value.partition("=")
        try:
            rates[policy] = float(rate)
        except ValueError:
            sep = ""
        if not sep or not policy or not 0.0 <= rates[policy] <= 1.0:
            raise ValidationError(f"--policy-rate {value!r}: expected POLICY=RATE, RATE in [0, 1]")
    updates = {
        "golden_set": golden_set,
        "sample_rate": sample_rate,
        "sample_seed": seed,
        "appeals_golden_set": appeals_golden_set,
        "claim_timeout_s": claim_timeout,
    }
    data = current.model_dump()
    data.update({k: v for k, v in updates.items() if v is not None})
    data["sample_rates"] = rates
    config = configure_review(
        store, type(current).model_validate(data), actor=context.settings().actor
    )
    typer.echo(config.model_dump_json(indent=2))
