"""Persistence of gate reports (the one module of `release` touching SQL)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import Connection, select

from modgate.errors import NotFoundError
from modgate.release._readiness import ReadinessReport
from modgate.store import Store, gate_reports, record_audit_event


def insert_gate_report(conn: Connection, report: ReadinessReport) -> None:
    """Write a readiness report and its audit event in the caller's transaction."""
    conn.execute(
        gate_reports.insert().values(
            id=report.id,
            run_id=report.run_id,
            gate_name=report.gate_name,
            gate_hash=report.gate_hash,
            enforcer_version_hash=report.enforcer_version_hash,
            golden_hash=report.golden_hash,
            baseline_run_id=report.baseline_run_id,
            verdict=report.verdict,
            report=report.model_dump(mode="json"),
            created_at=report.created_at,
            created_by=report.created_by,
        )
    )
    record_audit_event(
        conn,
        actor=report.created_by,
        action="gate.check",
        object_type="gate_report",
        object_id=report.id,
        details={
            "run_id": report.run_id,
            "gate": report.gate_name,
            "verdict": report.verdict,
            "failed": [r.id for r in report.results if not r.passed],
        },
    )


def _row_to_report(row: Any) -> ReadinessReport:
    report = ReadinessReport.model_validate(row["report"])
    if report.created_at.tzinfo is None:
        report = report.model_copy(update={"created_at": report.created_at.replace(tzinfo=UTC)})
    return report


def get_gate_report(store: Store, report_id: str) -> ReadinessReport:
    """The stored report `report_id`.

    Raises:
        NotFoundError: No such report.
    """
    with store.connect() as conn:
        row = (
            conn.execute(select(gate_reports).where(gate_reports.c.id == report_id))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFoundError(f"no gate report {report_id!r}")
    return _row_to_report(row)


def list_gate_reports(
    store: Store, *, run_id: str | None = None, limit: int = 100
) -> list[ReadinessReport]:
    """Stored reports, newest first, optionally of one run."""
    query = select(gate_reports).order_by(gate_reports.c.created_at.desc()).limit(limit)
    if run_id:
        query = query.where(gate_reports.c.run_id == run_id)
    with store.connect() as conn:
        return [_row_to_report(r) for r in conn.execute(query).mappings()]


__all__ = ["get_gate_report", "insert_gate_report", "list_gate_reports"]
