"""Release: gates, go/no-go readiness reports bound to what they were computed from."""

from modgate.release._check import check_gates, resolve_gate_path
from modgate.release._gates import (
    AttackSuccessCriterion,
    BudgetCriterion,
    GateConfig,
    GateResult,
    MaximumCriterion,
    MinimumCriterion,
    RegressionCriterion,
    SliceCheck,
    evaluate_gates,
    gate_file_hash,
    load_gate_config,
)
from modgate.release._readiness import (
    ReadinessFormat,
    ReadinessReport,
    build_readiness_report,
    readiness_table,
    render_json,
    render_markdown,
    verify_report,
)
from modgate.release._repo import get_gate_report, list_gate_reports

__all__ = [
    "AttackSuccessCriterion",
    "BudgetCriterion",
    "GateConfig",
    "GateResult",
    "MaximumCriterion",
    "MinimumCriterion",
    "ReadinessFormat",
    "ReadinessReport",
    "RegressionCriterion",
    "SliceCheck",
    "build_readiness_report",
    "check_gates",
    "evaluate_gates",
    "gate_file_hash",
    "get_gate_report",
    "list_gate_reports",
    "load_gate_config",
    "readiness_table",
    "render_json",
    "render_markdown",
    "resolve_gate_path",
    "verify_report",
]
