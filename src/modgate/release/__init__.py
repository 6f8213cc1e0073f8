"""Release: gates, readiness reports, deployments, decisions under them, rollback, reversal.

Deployments put enforcer versions in shadow, canary or active per policy behind a passing gate
report; decisions are made under them; rollback, impact and reversal undo a bad version.
"""

from modgate.release._check import check_gates, resolve_gate_path
from modgate.release._decide import (
    DecideResult,
    EnforcerPool,
    decide,
    decide_with_deployments,
    deployment_decision_id,
)
from modgate.release._deploy import (
    DeployResult,
    current_deployment,
    deploy,
    deployment_history,
    get_deployment,
    require_passing_report,
    rollback,
)
from modgate.release._gates import (
    AttackSuccessCriterion,
    BudgetCriterion,
    GateConfig,
    GateResult,
    MaximumCriterion,
    MinimumCriterion,
    RegressionCriterion,
    ReviewLoadCriterion,
    SliceCheck,
    evaluate_gates,
    evaluate_review_load,
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
from modgate.release._repo import (
    ArmRecord,
    ReversalRecord,
    get_gate_report,
    list_gate_reports,
    list_reversals,
    mark_reversals_applied,
)
from modgate.release._reversal import (
    DeploymentImpact,
    ImpactCount,
    ReversalResult,
    deployment_impact,
    reverse_deployment,
)
from modgate.release._routing import canary_bucket, routes_to_canary
from modgate.release._snapshot import (
    DeploymentSnapshot,
    deployments_changed,
    load_deployment_snapshot,
    refresh_snapshot,
)
from modgate.release._state import (
    CanaryArm,
    DeployedEnforcer,
    Deployment,
    DeploymentState,
    Stage,
    apply_stage,
)

__all__ = [
    "ArmRecord",
    "AttackSuccessCriterion",
    "BudgetCriterion",
    "CanaryArm",
    "DecideResult",
    "DeployResult",
    "DeployedEnforcer",
    "Deployment",
    "DeploymentImpact",
    "DeploymentSnapshot",
    "DeploymentState",
    "EnforcerPool",
    "ImpactCount",
    "ReversalRecord",
    "ReversalResult",
    "Stage",
    "apply_stage",
    "canary_bucket",
    "current_deployment",
    "decide",
    "decide_with_deployments",
    "deploy",
    "deployment_decision_id",
    "deployment_history",
    "deployment_impact",
    "deployments_changed",
    "get_deployment",
    "list_reversals",
    "load_deployment_snapshot",
    "mark_reversals_applied",
    "refresh_snapshot",
    "require_passing_report",
    "reverse_deployment",
    "rollback",
    "routes_to_canary",
    "GateConfig",
    "GateResult",
    "MaximumCriterion",
    "MinimumCriterion",
    "ReadinessFormat",
    "ReadinessReport",
    "RegressionCriterion",
    "ReviewLoadCriterion",
    "SliceCheck",
    "build_readiness_report",
    "check_gates",
    "evaluate_gates",
    "evaluate_review_load",
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
