"""Persistence of red-team runs: the one module of `redteam` that touches the database."""

from __future__ import annotations

from sqlalchemy import Connection, select

from modgate.errors import NotFoundError
from modgate.redteam._report import RedteamReport
from modgate.store import Store, record_audit_event, redteam_runs


def insert_redteam_run(conn: Connection, report: RedteamReport) -> None:
    """Store a run's report (in the caller's transaction) with an audit event."""
    conn.execute(
        redteam_runs.insert().values(
            id=report.id,
            eval_run_id=report.eval_run_id,
            enforcer=report.enforcer,
            enforcer_version_hash=report.enforcer_version_hash,
            golden=report.golden,
            golden_hash=report.golden_hash,
            created_at=report.created_at,
            created_by=report.created_by,
            report=report.model_dump(mode="json"),
        )
    )
    record_audit_event(
        conn,
        actor=report.created_by,
        action="redteam.run",
        object_type="redteam_run",
        object_id=report.id,
        details={"enforcer": report.enforcer, "golden": report.golden},
        at=report.created_at,
    )


def get_redteam_run(store: Store, run_id: str) -> RedteamReport:
    """A stored red-team run.

    Raises:
        NotFoundError: No such run.
    """
    with store.connect() as conn:
        row = conn.execute(select(redteam_runs.c.report).where(redteam_runs.c.id == run_id)).first()
    if row is None:
        raise NotFoundError(f"no red-team run {run_id!r}")
    return RedteamReport.model_validate(row.report)


def list_redteam_runs(store: Store, *, enforcer: str | None = None) -> list[RedteamReport]:
    """Stored red-team runs, newest first (optionally of one enforcer `name@version`)."""
    query = select(redteam_runs.c.report).order_by(redteam_runs.c.created_at.desc())
    if enforcer is not None:
        query = query.where(redteam_runs.c.enforcer == enforcer)
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [RedteamReport.model_validate(r.report) for r in rows]


__all__ = ["get_redteam_run", "insert_redteam_run", "list_redteam_runs"]
