"""Demo step: evaluate two enforcers on the frozen golden test split, compare them, gate them.

The enforce step's `hate-speech-fast` classifier (its verdicts are stored, so the eval reuses
them) is the baseline; the candidate is the `accurate` profile trained here on the same frozen
train split and policy examples. Neither has seen the test split.
"""

from __future__ import annotations

from modgate.cli.demo._enforce import GOLDEN_SET, train_demo_classifier
from modgate.cli.demo._enforce import SPEC_NAME as BASELINE_ENFORCER
from modgate.cli.demo._run import DemoRun
from modgate.evaluate import (
    EvalReport,
    EvalRun,
    FigureConfig,
    ReportFormat,
    StoreEvalSources,
    ThresholdTarget,
    compare_runs,
    format_metric,
    render_comparison_markdown,
    render_report,
    run_eval_from_sources,
    tune_run_thresholds,
)
from modgate.golden import get_golden_version
from modgate.release import check_gates, render_markdown

CANDIDATE_ENFORCER = "hate-speech-accurate"
CANDIDATE_SPEC = """\
# The demo's candidate: word + character n-grams, calibrated (the `accurate` profile).
kind: classifier
policy: hate_speech@1
params:
  profile: accurate
thresholds:
  remove: 0.85
  review: 0.5
"""
GATE_NAME = "demo"
GATE_TEXT = """\
description: "Demo release gate for hate_speech classifiers (small test split, wide intervals)"
min_support: 10
criteria:
  - kind: minimum
    metric: recall
    value: 0.5
  - kind: minimum
    metric: precision
    value: 0.5
    use: lower_bound
  # A production gate also caps the FPR on protected slices, e.g.
  # slices: [allowed_context=counter_speech, allowed_context=news, allowed_context=quotation];
  # the demo sample carries none of them, so this one caps it overall.
  - kind: maximum
    metric: fpr
    value: 0.15
  - kind: regression
    metric: f1
    max_drop: 0.05
  - kind: budget
    metric: error_rate
    max: 0.01
"""


def _train_candidate(run: DemoRun) -> str:
    return train_demo_classifier(run, CANDIDATE_ENFORCER, CANDIDATE_SPEC).result.version.ref


def _print_run(run: DemoRun, result: EvalRun) -> None:
    overall = result.figures.overall
    run.out.print(
        f"[bold]eval[/bold]: {result.id} {result.enforcer} on {result.golden} {result.split} "
        f"({result.n_items} items): precision {format_metric(overall.metric('precision'))}, "
        f"recall {format_metric(overall.metric('recall'))}, "
        f"AUPRC {format_metric(overall.metric('auprc'))}",
        highlight=False,
    )


def step_eval(run: DemoRun) -> None:
    """Evaluate baseline and candidate, compare them, tune a threshold, check the gate."""
    store, workspace, actor = run.store, run.workspace, run.settings.actor
    golden = get_golden_version(store, GOLDEN_SET).ref
    sources = StoreEvalSources(store, workspace)
    config = FigureConfig(min_support=10)
    candidate_ref = _train_candidate(run)
    baseline = run_eval_from_sources(
        store, sources, BASELINE_ENFORCER, golden, actor=actor, config=config
    )
    candidate = run_eval_from_sources(
        store, sources, candidate_ref, golden, actor=actor, config=config
    )
    for result in (baseline, candidate):
        _print_run(run, result)
    comparison = compare_runs(store, baseline.id, candidate.id)
    p_value = comparison.mcnemar.p_value
    run.out.print(
        f"[bold]compare[/bold]: {comparison.n_flipped} flipped ({comparison.fixed} fixed, "
        f"{comparison.broken} broken), McNemar p = "
        f"{'n/a' if p_value is None else f'{p_value:.3g}'}",
        highlight=False,
    )
    plan = tune_run_thresholds(store, candidate.id, ThresholdTarget(metric="precision", value=0.8))
    best = plan.overall
    if best.threshold is not None and best.recall is not None:
        run.out.print(
            f"[bold]thresholds[/bold]: remove at {best.threshold:.3f} reaches precision 0.8 "
            f"with recall {best.recall:.2f} (modgate eval thresholds)",
            highlight=False,
        )
    gate_path = workspace / "gates" / f"{GATE_NAME}.yaml"
    if not gate_path.exists():
        gate_path.write_text(GATE_TEXT, encoding="utf-8")
    report = check_gates(store, candidate.id, gate_path, actor=actor, baseline_run_id=baseline.id)
    reports = workspace / "reports"
    reports.mkdir(exist_ok=True)
    readiness_path = reports / f"{report.id}.md"
    readiness_path.write_text(render_markdown(report), encoding="utf-8")
    eval_path = reports / f"{candidate.id}.html"
    eval_path.write_text(render_report(EvalReport(run=candidate), ReportFormat.HTML), "utf-8")
    flips_path = reports / f"flips-{baseline.id}-{candidate.id}.md"
    flips_path.write_text(render_comparison_markdown(comparison), encoding="utf-8")
    failed = [r.id for r in report.results if not r.passed]
    run.out.print(
        f"[bold]gate[/bold] {GATE_NAME}: {report.verdict.upper()} for {candidate.enforcer}"
        + (f" (failed: {', '.join(failed)})" if failed else ""),
        highlight=False,
    )
    run.out.print(f"[bold]readiness report[/bold]: {readiness_path}", highlight=False)
    run.out.print(f"[bold]eval report[/bold]: {eval_path}", highlight=False)
    run.out.print(f"[bold]flip report[/bold]: {flips_path}", highlight=False)
    run.notes.append(f"modgate eval show {candidate.id} --slices")
    run.notes.append(f"modgate eval compare {baseline.id} {candidate.id}")
    run.notes.append(
        f"modgate gate check {candidate.id} --gates {GATE_NAME} --baseline {baseline.id}"
    )
