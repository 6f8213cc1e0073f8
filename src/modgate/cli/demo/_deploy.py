"""Demo step: ship the gated enforcer, try the challenger in shadow and as a canary, undo it.

Decides the demo items under each deployment, rolls back, shows the canary's impact and
reverses its removals (dry run first).
"""

from __future__ import annotations

from rich.table import Table

from modgate.cli.demo._enforce import SPEC_NAME as CHALLENGER
from modgate.cli.demo._eval import CANDIDATE_ENFORCER, GATE_NAME
from modgate.cli.demo._run import DemoRun
from modgate.enforce import get_enforcer_version, select_item_ids
from modgate.release import (
    DeployResult,
    decide,
    deploy,
    deployment_impact,
    list_gate_reports,
    reverse_deployment,
    rollback,
)

CANARY_SHARE = 0.3


def _print_deploy(run: DemoRun, result: DeployResult, what: str) -> None:
    dep = result.deployment
    how = (
        f"gate report {result.report.id}"
        if result.report is not None
        else ("[red]forced[/] (audited)" if dep.forced else "unchanged")
    )
    run.out.print(f"[bold]deploy[/bold]: {what} → {dep.id} ({how})", highlight=False)


def step_deploy(run: DemoRun) -> None:
    """Deploy, shadow, canary, decide, roll back, impact and reversal on the demo items."""
    store, workspace, actor = run.store, run.workspace, run.settings.actor
    gate_path = workspace / "gates" / f"{GATE_NAME}.yaml"
    gated = get_enforcer_version(store, CANDIDATE_ENFORCER)
    challenger = get_enforcer_version(store, CHALLENGER)
    reports = [r for r in list_gate_reports(store) if r.enforcer_version_hash == gated.version_hash]
    if reports and reports[0].is_go:
        active = deploy(store, gated.ref, "active", actor=actor, gate_path=gate_path)
    else:  # the small demo sample can miss its gate; say so and override, audited
        active = deploy(
            store, gated.ref, "active", actor=actor, force=True,
            reason="demo: the gate said no-go on a small sample; shipping anyway to show deploys",
        )  # fmt: skip
    _print_deploy(run, active, f"{gated.ref} active")
    reason = "demo: challenger trial (the fast classifier has no go report of its own)"
    shadow = deploy(store, challenger.ref, "shadow", actor=actor, force=True, reason=reason)
    _print_deploy(run, shadow, f"{challenger.ref} shadow")
    ids = select_item_ids(store, None)
    shadowed = decide(store, ids, workspace=workspace, actor=actor)
    run.out.print(
        f"[bold]decide[/bold] under {shadowed.deployments[0]}: {shadowed.decided} decisions "
        f"{shadowed.actions}; the shadow disagreed on {shadowed.shadow_disagreements} "
        "items and changed none of them",
        highlight=False,
    )
    canary = deploy(
        store, challenger.ref, "canary", actor=actor, share=CANARY_SHARE, force=True,
        reason=reason,
    )  # fmt: skip
    _print_deploy(run, canary, f"{challenger.ref} canary at {CANARY_SHARE:.0%}")
    canaried = decide(store, ids, workspace=workspace, actor=actor)
    run.out.print(
        f"[bold]decide[/bold] under {canary.deployment.id}: {canaried.decided} decisions, "
        f"arms {canaried.arms}",
        highlight=False,
    )
    back = rollback(store, canary.deployment.policy, actor=actor, reason="demo: canary alert")
    run.out.print(
        f"[bold]rollback[/bold]: {back.id} restores {back.restored_id} exactly "
        f"(active {back.state.active.enforcer if back.state.active else '-'}, "
        f"shadow {', '.join(s.enforcer for s in back.state.shadow) or '-'}, no canary)",
        highlight=False,
    )
    impact = deployment_impact(store, canary.deployment.id, sample=2)
    table = Table(title=f"impact of {impact.deployment_id} ({impact.decisions} decisions)")
    for column in ("arm", "action", "community", "decisions"):
        table.add_column(column)
    for c in impact.counts:
        table.add_row(c.arm, c.action, c.community or "(site)", str(c.count))
    run.out.print(table)
    why = "demo: the canary over-removed"
    preview = reverse_deployment(
        store, impact.deployment_id, reason=why, actor=actor, only=["remove"], arm="canary",
        dry_run=True,
    )  # fmt: skip
    run.out.print(
        f"[bold]reverse[/bold] (dry run): {preview.candidates} canary removals would get "
        f"records {preview.by_kind}",
        highlight=False,
    )
    done = reverse_deployment(
        store, impact.deployment_id, reason=why, actor=actor, only=["remove"], arm="canary"
    )
    again = reverse_deployment(
        store, impact.deployment_id, reason=why, actor=actor, only=["remove"], arm="canary"
    )
    run.out.print(
        f"[bold]reverse[/bold]: {done.written} reversal records written; a second run wrote "
        f"{again.written}",
        highlight=False,
    )
    run.notes.append("modgate deploy show")
    run.notes.append(f"modgate deploy history {back.policy}")
    run.notes.append(f"modgate deploy impact {impact.deployment_id}")
    run.notes.append(
        'modgate sql "SELECT kind, taken_action, count(*) FROM reversals GROUP BY 1, 2"'
    )
    run.notes.append(
        'modgate sql "SELECT action, object_id, details FROM audit_events WHERE action LIKE '
        "'deploy.%' ORDER BY id\""
    )
