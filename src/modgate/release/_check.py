"""`check_gates`: evaluate a gate file on a stored eval run and store the readiness report."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.evaluate import compare_runs, get_eval_run, run_component, run_figures
from modgate.release._gates import (
    evaluate_gates,
    gate_file_hash,
    load_gate_config,
)
from modgate.release._readiness import ReadinessReport, build_readiness_report
from modgate.release._repo import insert_gate_report
from modgate.store import Store


def resolve_gate_path(name: str, workspace: Path | None) -> Path:
    """The gate file for `NAME` (looked up as `gates/NAME.yaml` in the workspace) or a path.

    Raises:
        NotFoundError: No such file.
    """
    candidates = [Path(name)]
    if workspace is not None:
        candidates += [workspace / "gates" / f"{name}.yaml", workspace / "gates" / f"{name}.yml"]
    for path in candidates:
        if path.is_file():
            return path
    raise NotFoundError(
        f"no gate file {name!r}",
        hint="gates live in the workspace's gates/NAME.yaml (see docs/gates.md)",
    )


def check_gates(
    store: Store,
    run_id: str,
    gate_path: Path,
    *,
    actor: str,
    baseline_run_id: str | None = None,
    now: datetime | None = None,
    policy: str | None = None,
) -> ReadinessReport:
    """Check a gate file against an eval run, store and return the readiness report.

    Args:
        store: The store holding the runs.
        run_id: The candidate run.
        gate_path: The gate file.
        actor: Who checks (audit).
        baseline_run_id: Baseline run for regression criteria (same golden version).
        now: Report time (default: now).
        policy: On a multi-policy run, the policy whose figures (and enforcer) are checked;
            the report is bound to that policy's enforcer version.

    Raises:
        NotFoundError: A run does not exist.
        ValidationError: The gate file is invalid (file:line), or cannot be read.
        ConflictError: The baseline was computed on another golden version.
        ValidationError: A multi-policy run without `policy` (the message lists its policies).
    """
    try:
        text = gate_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{gate_path}: cannot read the gate file: {exc}") from exc
    config = load_gate_config(text, str(gate_path))
    run = get_eval_run(store, run_id)
    figures = run_figures(run, policy)
    component = run_component(run, policy)
    comparison = None
    if baseline_run_id is not None:
        if baseline_run_id == run_id:
            raise ConflictError("the baseline run must differ from the checked run")
        comparison = compare_runs(store, baseline_run_id, run_id, flip_limit=0, policy=policy)
    # Without a baseline, regression criteria fail with "no baseline run given" (fail closed).
    results = evaluate_gates(config, figures, comparison=comparison)
    report = build_readiness_report(
        report_id=f"gate-{uuid.uuid4().hex[:12]}",
        run_id=run.id,
        enforcer=component.enforcer,
        enforcer_version_hash=component.enforcer_version_hash,
        golden=run.golden,
        golden_hash=run.golden_hash,
        gate_name=config.name or gate_path.stem,
        gate_hash=gate_file_hash(text),
        results=results,
        created_at=now or datetime.now(UTC),
        created_by=actor,
        baseline_run_id=baseline_run_id,
    )
    with store.begin() as conn:
        insert_gate_report(conn, report)
    return report


__all__ = ["check_gates", "resolve_gate_path"]
