"""`modgate deploy`: shadow, canary and active enforcers per policy; rollback; impact; reversal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, write_records
from modgate.release import Stage

if TYPE_CHECKING:
    from modgate.release import Deployment

app = typer.Typer(
    help="Deployments: which enforcer versions act (active, canary) or watch (shadow)."
)

_STATE_COLUMNS = ("policy", "deployment", "stage", "enforcer", "share", "report", "forced", "since")
_HISTORY_COLUMNS = (
    "deployment", "change", "stage", "enforcer", "restored", "active", "canary", "shadow",
    "forced", "reason", "at", "by",
)  # fmt: skip


def _state_rows(deployment: Deployment) -> list[list[Any]]:
    from modgate.release import DeployedEnforcer

    state = deployment.state
    staged: list[tuple[str, DeployedEnforcer, float | None]] = []
    if state.active is not None:
        staged.append(("active", state.active, None))
    if state.canary is not None:
        staged.append(("canary", state.canary, state.canary.share))
    staged.extend(("shadow", s, None) for s in state.shadow)
    head = [deployment.policy, deployment.id]
    rows = [
        [*head, stage, e.enforcer, share, e.report_id, e.forced, deployment.created_at]
        for stage, e, share in staged
    ]
    return rows or [[*head, "", "", None, None, False, deployment.created_at]]


def _history_row(d: Deployment) -> list[Any]:
    state = d.state
    return [
        d.id, d.change, d.stage.value if d.stage else None, d.enforcer, d.restored_id,
        state.active.enforcer if state.active else None,
        f"{state.canary.enforcer} ({state.canary.share:g})" if state.canary else None,
        ", ".join(s.enforcer for s in state.shadow), d.forced, d.reason, d.created_at,
        d.created_by,
    ]  # fmt: skip


@app.command("set")
def set_stage(
    ctx: typer.Context,
    enforcer: str = typer.Argument(..., help="ENFORCER@VERSION to deploy."),
    stage: Stage = typer.Option(..., "--stage", "-s", help="active, canary, shadow or off."),
    share: float | None = typer.Option(None, "--share", help="Canary traffic share in (0, 1)."),
    gates: str | None = typer.Option(
        None, "--gates", "-g", help="Gate NAME (gates/NAME.yaml) or path its report must pass."
    ),
    golden: str | None = typer.Option(
        None, "--golden", help="Golden NAME@VERSION the report must be computed on."
    ),
    report: str | None = typer.Option(None, "--report", help="A specific gate report id."),
    force: bool = typer.Option(False, "--force", help="Deploy without a passing report."),
    reason: str | None = typer.Option(None, "--reason", help="Why (required with --force)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Put an enforcer version in a stage; needs a passing gate report bound to it."""
    from modgate.release import deploy, resolve_gate_path

    context = get_context(ctx)
    settings = context.settings()
    result = deploy(
        context.store(),
        enforcer,
        stage,
        actor=settings.actor,
        gate_path=resolve_gate_path(gates, settings.workspace) if gates else None,
        golden=golden,
        report_id=report,
        share=share,
        force=force,
        reason=reason,
    )
    if fmt is OutputFormat.TABLE and result.changed:
        gate = f" (gate report {result.report.id})" if result.report else ""
        forced = " [bold red]forced[/]" if result.deployment.forced else ""
        console().print(
            f"deployed [bold]{enforcer}[/] as {stage.value} → {result.deployment.id}{gate}{forced}"
        )
    elif fmt is OutputFormat.TABLE:
        console().print(f"unchanged: {result.deployment.id} already has that state")
    write_records(_STATE_COLUMNS, _state_rows(result.deployment), fmt, title="deployment")


@app.command("show")
def show(
    ctx: typer.Context,
    policy: str | None = typer.Argument(None, help="Policy id (default: every policy)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """The current deployment of one policy or of all."""
    from modgate.release import current_deployment, load_deployment_snapshot

    store = get_context(ctx).store()
    if policy is None:
        found = list(load_deployment_snapshot(store).deployments.values())
    else:
        one = current_deployment(store, policy)
        found = [one] if one is not None else []
    rows = [row for d in found for row in _state_rows(d)]
    if fmt is OutputFormat.TABLE and not rows:
        console().print("[dim]nothing deployed[/dim]")
        return
    write_records(_STATE_COLUMNS, rows, fmt, title="current deployments")


@app.command("history")
def history(
    ctx: typer.Context,
    policy: str = typer.Argument(..., help="Policy id."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Every deployment state of a policy, oldest first."""
    from modgate.release import deployment_history

    found = deployment_history(get_context(ctx).store(), policy)
    write_records(_HISTORY_COLUMNS, [_history_row(d) for d in found], fmt, title=policy)


@app.command("rollback")
def rollback_cmd(
    ctx: typer.Context,
    policy: str = typer.Argument(..., help="Policy id."),
    reason: str = typer.Option(..., "--reason", help="Why (audited)."),
    to: str | None = typer.Option(None, "--to", help="Deployment id to restore."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Restore the previous deployment state (or --to one) in one step."""
    from modgate.release import rollback

    context = get_context(ctx)
    made = rollback(context.store(), policy, actor=context.settings().actor, reason=reason, to=to)
    if fmt is OutputFormat.TABLE:
        console().print(f"rolled back [bold]{made.policy}[/] to {made.restored_id} → {made.id}")
    write_records(_STATE_COLUMNS, _state_rows(made), fmt, title="deployment")


@app.command("impact")
def impact(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment id."),
    sample: int = typer.Option(5, "--sample", min=0, help="Sample items per action."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """What a deployment did while live: decisions by action and community, sample items."""
    from modgate.release import deployment_impact

    found = deployment_impact(get_context(ctx).store(), deployment, sample=sample)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(found.model_dump_json(indent=2) + "\n")
        return
    rows = [[c.arm, c.action, c.community, c.count] for c in found.counts]
    write_records(("arm", "action", "community", "count"), rows, fmt,
                  title=f"{found.deployment_id}: {found.decisions} decisions")  # fmt: skip
    if fmt is OutputFormat.TABLE and found.samples:
        write_records(
            ("item", "community", "action", "arm", "enforcer", "decided_at"),
            [[s.item_id, s.community, s.action, s.arm, s.enforcer, s.decided_at]
             for s in found.samples],
            fmt, title="sample items",
        )  # fmt: skip


@app.command("reverse")
def reverse(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment id whose actions to reverse."),
    reason: str = typer.Option(..., "--reason", help="Why (stored on every record, audited)."),
    only: list[str] | None = typer.Option(None, "--only", help="Only this action (repeatable)."),
    arm: str | None = typer.Option(None, "--arm", help="Only the active or the canary arm."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; write nothing."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Write reversal records (restore or re-review) for what a deployment did; idempotent."""
    from modgate.release import reverse_deployment

    context = get_context(ctx)
    result = reverse_deployment(
        context.store(), deployment, reason=reason, actor=context.settings().actor,
        only=only or None, arm=arm, dry_run=dry_run,
    )  # fmt: skip
    dumped = result.model_dump()
    write_records(list(dumped), [list(dumped.values())], fmt,
                  title="reversal preview" if dry_run else "reversal")  # fmt: skip


__all__ = ["app"]
