"""Deployments: stage changes behind a passing gate report, one-step rollback, history.

Enforcer versions go to shadow, canary or active; `rollback` restores an earlier state.

Every change writes a new `Deployment` record holding the whole state of the policy, with an
audit event in the same transaction, so rollback restores an earlier state exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError

from modgate.enforce import EnforcerVersion, get_enforcer_version
from modgate.errors import (
    ConflictError,
    DeploymentError,
    NotFoundError,
    StaleReportError,
    ValidationError,
)
from modgate.golden import get_golden_version
from modgate.release._gates import gate_file_hash
from modgate.release._readiness import ReadinessReport, verify_report
from modgate.release._repo import (
    find_deployment,
    gate_reports_for,
    get_gate_report,
    insert_deployment,
    latest_deployment,
    list_deployments,
)
from modgate.release._state import (
    DeployedEnforcer,
    Deployment,
    DeploymentState,
    Stage,
    apply_stage,
)
from modgate.store import Store

_ATTEMPTS = 3


class DeployResult(BaseModel):
    """What `deploy` did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment: Deployment
    """The policy's deployment after the call."""
    changed: bool
    """False when the state asked for was already current (nothing written)."""
    report: ReadinessReport | None
    """The gate report that opened the gate (None when forced or for `off`)."""


def policy_id_of(version: EnforcerVersion) -> str:
    """The policy id (without version) an enforcer version is deployed under.

    Raises:
        DeploymentError: The enforcer names no policy.
    """
    if not version.spec.policy:
        raise DeploymentError(f"{version.ref} enforces no policy, so it cannot be deployed")
    return version.spec.policy.split("@", 1)[0]


def _read_gate(gate_path: Path) -> str:
    try:
        return gate_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{gate_path}: cannot read the gate file: {exc}") from exc


def require_passing_report(
    store: Store,
    version: EnforcerVersion,
    gate_path: Path,
    *,
    golden: str | None = None,
    report_id: str | None = None,
) -> ReadinessReport:
    """The passing gate report that lets `version` be deployed, or a refusal naming why.

    The report must be bound to this version's hash, to the gate file's current text (its
    sha256) and to the golden version: `golden` when given, else the version the report names,
    which must still have the content hash the report was computed on.

    Args:
        store: The store.
        version: The enforcer version to deploy.
        gate_path: The gate file that must be passed.
        golden: `name@version` of the golden version the report must be computed on.
        report_id: A specific report (default: the newest matching go report).

    Raises:
        StaleReportError: The report is for another enforcer version, golden version or gate
            file, or says no-go.
        DeploymentError: No passing report matches.
        NotFoundError: The report or golden version does not exist.
        ValidationError: The gate file cannot be read.
    """
    gate_hash = gate_file_hash(_read_gate(gate_path))
    golden_hash = get_golden_version(store, golden).content_hash if golden else None

    def check(report: ReadinessReport) -> None:
        expected = golden_hash
        if expected is None:
            try:
                expected = get_golden_version(store, report.golden).content_hash
            except NotFoundError:
                expected = "(golden version " + report.golden + " no longer exists)"
        verify_report(report, version.version_hash, expected, gate_hash)

    if report_id is not None:
        report = get_gate_report(store, report_id)
        check(report)
        return report
    candidates = gate_reports_for(store, version.version_hash)
    problems: list[str] = []
    for report in candidates:
        try:
            check(report)
        except StaleReportError as exc:
            problems.append(exc.message)
            continue
        return report
    hint = (
        f"run `modgate eval run {version.ref} GOLDEN@VERSION` and "
        f"`modgate gate check RUN --gates {gate_path.stem}`, or override with "
        "--force --reason TEXT (audited)"
    )
    if not candidates:
        raise DeploymentError(f"no gate report for {version.ref}: deploy refused", hint=hint)
    shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
    raise DeploymentError(
        f"no passing gate report for {version.ref} matches the gate file {gate_path.name}"
        + (f" and golden {golden}" if golden else "")
        + f": {shown}",
        hint=hint,
    )


def _entry(
    version: EnforcerVersion, report: ReadinessReport | None, forced: bool
) -> DeployedEnforcer:
    assert version.spec.policy is not None
    return DeployedEnforcer(
        enforcer=version.ref,
        version_hash=version.version_hash,
        policy=version.spec.policy,
        report_id=report.id if report is not None else None,
        forced=forced,
    )


def deploy(
    store: Store,
    enforcer: str,
    stage: Stage | str,
    *,
    actor: str,
    gate_path: Path | None = None,
    golden: str | None = None,
    report_id: str | None = None,
    share: float | None = None,
    force: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> DeployResult:
    """Put an enforcer version in shadow, canary or active (or take it `off`) for its policy.

    Every stage but `off` needs a passing gate report bound to this version's hash, the gate
    file and the golden version (`require_passing_report`); `force` with a `reason` overrides
    and is audited. Each change is a new deployment record with the whole state.

    Args:
        store: The store.
        enforcer: `name@version` (a bare name means its latest version).
        stage: `active`, `canary`, `shadow` or `off`.
        actor: Who deploys (audit).
        gate_path: The gate file the report must be bound to (required unless forced).
        golden: `name@version` the report must be computed on (default: the report's own,
            checked unchanged).
        report_id: A specific gate report.
        share: Canary traffic share in (0, 1).
        force: Deploy without a passing report.
        reason: Why (required with `force`; recorded in any case).
        now: Time of the change (default: now).

    Returns:
        The deployment after the change, whether anything changed, and the report used.

    Raises:
        DeploymentError: No passing report, or an impossible change.
        StaleReportError: The given report is for something else or says no-go.
        ValidationError: Bad stage, share, or `force` without a reason.
        NotFoundError: Unknown enforcer, report or golden version.
    """
    try:
        stage = Stage(stage)
    except ValueError:
        raise ValidationError(
            f"unknown stage {stage!r}; expected one of {', '.join(s.value for s in Stage)}"
        ) from None
    if force and not (reason and reason.strip()):
        raise ValidationError("--force needs --reason TEXT (the override is audited)")
    version = get_enforcer_version(store, enforcer)
    policy = policy_id_of(version)
    report: ReadinessReport | None = None
    if stage is not Stage.OFF and not force:
        if gate_path is None:
            raise ValidationError(
                f"deploying {version.ref} needs the gate file its report must pass (--gates)",
                hint="or override with --force --reason TEXT (audited)",
            )
        report = require_passing_report(
            store, version, gate_path, golden=golden, report_id=report_id
        )
    at = now or datetime.now(UTC)
    for _attempt in range(_ATTEMPTS):
        try:
            with store.begin() as conn:
                current = latest_deployment(conn, policy)
                state = current.state if current is not None else DeploymentState()
                seq = (current.seq if current is not None else 0) + 1
                deployment_id = f"dep-{policy}-{seq}"
                new_state = apply_stage(
                    state,
                    _entry(version, report, force),
                    stage,
                    share=share,
                    salt=deployment_id,
                )
                if current is not None and new_state == state:
                    return DeployResult(deployment=current, changed=False, report=report)
                made = insert_deployment(
                    conn,
                    deployment_id=deployment_id,
                    policy=policy,
                    seq=seq,
                    state=new_state,
                    base_id=current.id if current is not None else None,
                    change="set",
                    stage=stage.value,
                    enforcer=version.ref,
                    restored_id=None,
                    forced=force,
                    reason=reason,
                    at=at,
                    actor=actor,
                    audit={
                        "policy": policy,
                        "stage": stage.value,
                        "enforcer": version.ref,
                        "version_hash": version.version_hash,
                        "share": share,
                        "report": report.id if report is not None else None,
                        "forced": force,
                        "reason": reason,
                        "previous": current.id if current is not None else None,
                    },
                )
                return DeployResult(deployment=made, changed=True, report=report)
        except IntegrityError:
            continue  # a concurrent change took the step number; read the state again
    raise ConflictError(f"could not deploy {version.ref}: concurrent deployment changes")


def rollback(
    store: Store,
    policy: str,
    *,
    actor: str,
    reason: str,
    to: str | None = None,
    now: datetime | None = None,
) -> Deployment:
    """Restore an earlier deployment state of a policy in one step (a new record, audited).

    Without `to`, the state before the current one is restored: the current record's base
    (for a rollback, the base of the state it restored), so repeated rollbacks walk back
    through the history.

    Args:
        store: The store.
        policy: Policy id.
        actor: Who rolls back.
        reason: Why (required, audited).
        to: A deployment id of this policy to restore instead.
        now: Time of the change.

    Returns:
        The new deployment, whose state equals the restored one exactly.

    Raises:
        ValidationError: No reason given.
        NotFoundError: The policy has no deployments, or `to` does not exist.
        DeploymentError: Nothing earlier to restore, or `to` belongs to another policy or is
            already the current state.
    """
    if not reason or not reason.strip():
        raise ValidationError("a rollback needs --reason TEXT (it is audited)")
    policy = policy.split("@", 1)[0]
    at = now or datetime.now(UTC)
    for _attempt in range(_ATTEMPTS):
        try:
            with store.begin() as conn:
                current = latest_deployment(conn, policy)
                if current is None:
                    raise NotFoundError(f"policy {policy!r} has no deployments")
                target_id = to if to is not None else current.base_id
                if target_id is None:
                    raise DeploymentError(
                        f"{current.id} is the first deployment of {policy}: nothing to roll "
                        "back to",
                        hint="take enforcers off with `modgate deploy set ENFORCER --stage off`",
                    )
                target = find_deployment(conn, target_id)
                if target is None:
                    raise NotFoundError(f"no deployment {target_id!r}")
                if target.policy != policy:
                    raise DeploymentError(
                        f"{target.id} is a deployment of {target.policy}, not of {policy}"
                    )
                if target.id == current.id:
                    raise DeploymentError(f"{target.id} is already the current deployment")
                seq = current.seq + 1
                deployment_id = f"dep-{policy}-{seq}"
                return insert_deployment(
                    conn,
                    deployment_id=deployment_id,
                    policy=policy,
                    seq=seq,
                    state=target.state,
                    base_id=target.base_id,
                    change="rollback",
                    stage=None,
                    enforcer=None,
                    restored_id=target.id,
                    forced=False,
                    reason=reason,
                    at=at,
                    actor=actor,
                    audit={
                        "policy": policy,
                        "from": current.id,
                        "restored": target.id,
                        "reason": reason,
                        "active": target.state.active.enforcer if target.state.active else None,
                    },
                )
        except IntegrityError:
            continue
    raise ConflictError(f"could not roll back {policy}: concurrent deployment changes")


def get_deployment(store: Store, deployment_id: str) -> Deployment:
    """One deployment record.

    Raises:
        NotFoundError: No such deployment.
    """
    with store.connect() as conn:
        found = find_deployment(conn, deployment_id)
    if found is None:
        raise NotFoundError(
            f"no deployment {deployment_id!r}", hint="list them: modgate deploy history POLICY"
        )
    return found


def current_deployment(store: Store, policy: str) -> Deployment | None:
    """The current deployment of a policy (None if it never had one)."""
    with store.connect() as conn:
        return latest_deployment(conn, policy.split("@", 1)[0])


def deployment_history(store: Store, policy: str) -> list[Deployment]:
    """Every deployment record of a policy, oldest first.

    Raises:
        NotFoundError: The policy has no deployments.
    """
    found = list_deployments(store, policy.split("@", 1)[0])
    if not found:
        raise NotFoundError(f"policy {policy!r} has no deployments")
    return found


__all__ = [
    "DeployResult",
    "current_deployment",
    "deploy",
    "deployment_history",
    "get_deployment",
    "policy_id_of",
    "require_passing_report",
    "rollback",
]
