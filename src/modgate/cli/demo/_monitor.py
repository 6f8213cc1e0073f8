"""Demo step: a SIMULATED week of traffic, monitors that notice, an incident that rolls back.

The demo sample's real texts become a week of simulated traffic (30 Zipf-sized communities)
decided through the real decide path by the demo's classifiers. On the last day an evasion wave
obfuscates violating posts in two small communities and a retrained canary ships regressed (the
simulator flips half its verdicts). Two monitor files watch: evasion per community, and the
canary's disagreement with the shadow (critical, `auto_rollback: true`). Their run raises the
right alerts, links them to the canary's deployment and rolls it back on an incident.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.table import Table

from modgate.cli.demo._enforce import SPEC_NAME as SHADOW
from modgate.cli.demo._run import DemoRun
from modgate.enforce import get_enforcer_version, register_enforcer
from modgate.monitor import (
    EvasionWave,
    ModelRegression,
    SimulationSpec,
    TrafficModel,
    list_alerts,
    prepare_plan,
    run_monitors,
    run_simulation,
)
from modgate.store import get_items

CANARY = "hate-speech-retrained"
"""The regressed canary: the shadow classifier's artifact registered under a new name."""
START = datetime(2026, 11, 1, tzinfo=UTC)
WAVE = START + timedelta(days=6)
SMALL = ("sim-c00020", "sim-c00021")
POLICY = "hate_speech"

EVASION_MONITOR = f"""\
description: share of posts normalization had to de-obfuscate, per community (demo)
scope: {{policy: {POLICY}}}
windows: {{current: 24h, reference: 5d}}
severity: warning
checks:
  - kind: evasion_share
    params: {{level: 0.01, min_support: 10}}
"""

CANARY_MONITOR = """\
description: the canary against the shadow; critical, rolls back by itself (demo)
scope:
  policy: {policy}
  enforcer: {canary}
  challenger: {shadow}
  segment_by: none
windows: {{current: 24h, reference: 5d}}
severity: critical
auto_rollback: true
rollback_cooldown: 6h
checks:
  - kind: disagreement
    params: {{max_rate: 0.1, min_support: 30}}
"""


def step_monitor(run: DemoRun) -> None:
    """Simulate a week, run the monitors at its end, show alerts, links and the rollback."""
    store, workspace, actor = run.store, run.workspace, run.settings.actor
    shadow = get_enforcer_version(store, f"{SHADOW}@1")
    canary = register_enforcer(
        store,
        shadow.spec.model_copy(update={"name": CANARY, "description": "demo: retrained canary"}),
        workspace=workspace,
        actor=actor,
    ).version
    spec = SimulationSpec(
        source=run.sample_path,
        model=TrafficModel(communities=30, items=1500, days=7, authors=400, seed=3, start=START),
        scenarios=(
            EvasionWave(start=WAVE, communities=SMALL, extra_items=30),
            ModelRegression(start=WAVE, policy=POLICY, share=0.5, deploy=canary.ref),
        ),
    )
    plan = prepare_plan(spec)
    if get_items(store, [plan.items[0].item.id]):
        run.out.print(
            "[bold]monitor[/bold]: this workspace already holds the simulated week; see "
            "`modgate alert list --status all` and `modgate incident list`"
        )
        return
    folder = workspace / "monitors"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evasion.yaml").write_text(EVASION_MONITOR, "utf-8")
    (folder / "canary.yaml").write_text(
        CANARY_MONITOR.format(policy=POLICY, canary=canary.ref, shadow=shadow.ref), "utf-8"
    )
    report = run_simulation(
        store, spec, workspace=workspace, actor=actor, plan=plan,
        ground_truth=workspace / "simulations" / "demo-week.truth.json",
    )  # fmt: skip
    run.out.print(
        f"[bold]simulate[/bold] ({report.simulated}): {report.decisions} decisions over 7 days "
        f"in {report.communities} communities through the decide path, features recorded for "
        f"{report.featured}; injected on day 7: {report.scenarios}",
        highlight=False,
    )
    reports = run_monitors(store, folder, at=START + timedelta(days=7))
    table = Table(title="alerts of the run at the end of the week (SIMULATED traffic)")
    for column in ("alert", "severity", "monitor", "check", "segment", "rate", "deployment"):
        table.add_column(column)
    for rep in reports:
        for a in rep.alerts:
            r = next(x for x in rep.fired if (x.check, x.segment) == (a.check, a.segment))
            rate = r.evidence.get("rate_current", r.value)  # raw share; `value` is shrunk
            table.add_row(
                str(a.alert_id), a.severity, a.monitor, a.check, a.segment, f"{rate:.3f}",
                a.deployment_id or "-",
            )  # fmt: skip
    run.out.print(table)
    evasion = {a.segment for rep in reports for a in rep.alerts if a.check == "evasion_share"}
    run.out.print(
        f"[bold]monitor[/bold]: evasion alerts in {', '.join(sorted(evasion)) or 'none'} "
        f"(the wave went to {', '.join(SMALL)})",
        highlight=False,
    )
    incident = None
    for rb in (rb for rep in reports for rb in rep.rollbacks):
        if rb.status == "rolled_back":
            incident = rb.incident_id
            run.out.print(
                f"[bold]incident {rb.incident_id}[/bold]: alert {rb.alert_id} is critical and "
                f"links {rb.deployment_id} (the canary, deployed on day 7): rolled back "
                f"automatically → {rb.restored_to} (audited; no second rollback of {rb.policy} "
                "within the 6 h cool-down)",
                highlight=False,
            )
        else:
            run.out.print(f"[bold]monitor[/bold]: no rollback for alert {rb.alert_id}: {rb.detail}")
    live = len(list_alerts(store))
    run.out.print(f"[bold]monitor[/bold]: {live} live alerts stored with their evidence and SQL")
    run.notes.append(f"modgate monitor run --dir {folder} --at 2026-11-08T00:00:00Z")
    run.notes.append("modgate alert list --evidence")
    if incident is not None:
        run.notes.append(f"modgate incident show {incident}")
        canary_dep = next(
            rb.deployment_id for rep in reports for rb in rep.rollbacks if rb.incident_id
        )
        run.notes.append(
            f"modgate incident blast-radius {canary_dep} --since 2026-11-07 --arm canary"
        )
