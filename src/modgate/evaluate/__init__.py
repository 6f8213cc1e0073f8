"""Evaluation: figures with intervals, slices, comparison, thresholds, eval runs and reports.

Long-tail (per-community) estimates with empirical-Bayes shrinkage and a label-budget planner.
"""

from modgate.evaluate._compare import (
    ComparisonReport,
    DeltaValue,
    FlippedItem,
    McNemarResult,
    SliceDelta,
    compare_predictions,
    mcnemar_test,
)
from modgate.evaluate._figures import (
    EvalFigures,
    FigureConfig,
    GroupFigures,
    MetricValue,
    compute_eval_figures,
    compute_group_figures,
)
from modgate.evaluate._intervals import IntervalConfig, wilson_interval
from modgate.evaluate._long_tail import CommunityEstimatesReport, estimate_run_communities
from modgate.evaluate._metrics import (
    HIGHER_IS_BETTER,
    METRIC_NAMES,
    ConfusionCounts,
    confusion_counts,
    criterion_confusion,
    point_metrics,
)
from modgate.evaluate._predictions import PredictionRecord, PredictionTable
from modgate.evaluate._reliability import (
    RateValue,
    ReliabilityFigures,
    compute_reliability,
    is_parse_failure,
)
from modgate.evaluate._repo import (
    EvalRun,
    delete_eval_run,
    get_eval_run,
    list_eval_runs,
    load_predictions,
)
from modgate.evaluate._report import (
    EvalReport,
    ReportFormat,
    format_metric,
    format_value,
    render_comparison_markdown,
    render_report,
)
from modgate.evaluate._run import (
    EnforcerRef,
    EvalSources,
    GoldenExample,
    GoldenRef,
    compare_runs,
    prediction_record,
    run_eval,
    run_eval_from_sources,
    tune_run_thresholds,
    write_threshold_version,
)
from modgate.evaluate._shrinkage import (
    FLAT_PRIOR,
    BetaPrior,
    CommunityEstimate,
    ReviewAllocation,
    ShrunkRate,
    beta_binomial_log_likelihood,
    estimate_communities,
    fit_beta_prior,
    plan_label_budget,
    posterior_rate,
    shrink_rates,
)
from modgate.evaluate._slices import PROTECTED_TAGS, SLICE_DIMENSIONS, slice_attributes
from modgate.evaluate._sources import StoreEvalSources, eval_sources
from modgate.evaluate._threshold_spec import apply_threshold_plan
from modgate.evaluate._thresholds import (
    ThresholdPlan,
    ThresholdResult,
    ThresholdTarget,
    best_threshold,
    tune_thresholds,
)
from modgate.evaluate._training import (
    applicable_policy,
    golden_training_rows,
    policy_example_rows,
    train_enforcer_from_sources,
)

__all__ = [
    "StoreEvalSources",
    "applicable_policy",
    "eval_sources",
    "golden_training_rows",
    "policy_example_rows",
    "train_enforcer_from_sources",
    "FLAT_PRIOR",
    "HIGHER_IS_BETTER",
    "METRIC_NAMES",
    "PROTECTED_TAGS",
    "SLICE_DIMENSIONS",
    "BetaPrior",
    "CommunityEstimate",
    "CommunityEstimatesReport",
    "ComparisonReport",
    "ConfusionCounts",
    "DeltaValue",
    "EnforcerRef",
    "EvalFigures",
    "EvalReport",
    "EvalRun",
    "EvalSources",
    "FigureConfig",
    "FlippedItem",
    "GoldenExample",
    "GoldenRef",
    "GroupFigures",
    "IntervalConfig",
    "McNemarResult",
    "MetricValue",
    "PredictionRecord",
    "PredictionTable",
    "RateValue",
    "ReliabilityFigures",
    "ReportFormat",
    "ReviewAllocation",
    "ShrunkRate",
    "SliceDelta",
    "ThresholdPlan",
    "ThresholdResult",
    "ThresholdTarget",
    "apply_threshold_plan",
    "best_threshold",
    "beta_binomial_log_likelihood",
    "compare_predictions",
    "compare_runs",
    "compute_eval_figures",
    "compute_group_figures",
    "compute_reliability",
    "confusion_counts",
    "criterion_confusion",
    "delete_eval_run",
    "estimate_communities",
    "estimate_run_communities",
    "fit_beta_prior",
    "format_metric",
    "format_value",
    "get_eval_run",
    "is_parse_failure",
    "list_eval_runs",
    "load_predictions",
    "mcnemar_test",
    "plan_label_budget",
    "point_metrics",
    "posterior_rate",
    "prediction_record",
    "render_comparison_markdown",
    "render_report",
    "run_eval",
    "run_eval_from_sources",
    "shrink_rates",
    "slice_attributes",
    "tune_run_thresholds",
    "tune_thresholds",
    "wilson_interval",
    "write_threshold_version",
]
