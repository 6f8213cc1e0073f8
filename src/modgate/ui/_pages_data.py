"""Policies, golden sets and eval runs (policy's, golden's and evaluate's library APIs)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from modgate.errors import ValidationError
from modgate.evaluate import (
    EvalReport,
    ReportFormat,
    compare_runs,
    get_eval_run,
    list_eval_runs,
    load_predictions,
    reliability_chart,
    render_report,
    run_error_clusters,
    score_histogram_chart,
    slice_interval_chart,
)
from modgate.golden import (
    browse_golden_items,
    golden_agreement,
    golden_coverage,
    list_golden_sets,
    show_golden_set,
)
from modgate.policy import (
    compile_prompt,
    diff_policies,
    get_policy_version,
    lint_policy,
    list_policy_versions,
    load_policy_text,
)
from modgate.ui._pages_dash import Reader
from modgate.ui._security import ui_store
from modgate.ui._templates import render

if TYPE_CHECKING:
    from modgate.registry import Registry

router = APIRouter()


@cache
def _registry() -> Registry:
    from modgate.registry import create_registry

    return create_registry()


@router.get("/policies", summary="Published policies.")
def policies(request: Request, session: Reader) -> Response:
    """Every published policy with its versions."""
    versions = list_policy_versions(ui_store(request))
    grouped: dict[str, list[Any]] = {}
    for v in versions:
        grouped.setdefault(v.id, []).append(v)
    return render(request, "policies.html", session, policies=sorted(grouped.items()))


@router.get("/policies/{policy_id}", summary="One policy: versions, diff, prompt, lint.")
def policy(
    request: Request, session: Reader, policy_id: str, v: int | None = None,
    diff: int | None = None,
) -> Response:  # fmt: skip
    """A policy version with its criteria, compiled prompt, lint findings and a diff."""
    store = ui_store(request)
    versions = list_policy_versions(store, policy_id=policy_id)
    published = get_policy_version(store, policy_id, v)
    prompt = compile_prompt(published.policy)
    lint = None
    if published.source_yaml is not None:
        ref = f"{policy_id}@{published.policy.version}"
        lint = lint_policy(load_policy_text(published.source_yaml, file=ref), registry=_registry())
    changes = None
    if diff is not None:
        other = get_policy_version(store, policy_id, diff)
        changes = diff_policies(other.policy, published.policy)
    return render(request, "policy.html", session, versions=versions, published=published,
                  prompt=prompt, lint=lint, changes=changes, diff=diff)  # fmt: skip


@router.get("/golden", summary="Golden sets.")
def golden_sets(request: Request, session: Reader) -> Response:
    """Every golden set."""
    return render(request, "golden_sets.html", session, sets=list_golden_sets(ui_store(request)))


@router.get("/golden/{name}", summary="One golden set: items, agreement, coverage.")
def golden_set(
    request: Request, session: Reader, name: str, tag: str | None = None,
    community: str | None = None, disagreement: bool = False, page: int = 0,
) -> Response:  # fmt: skip
    """Browse items by tag, community and disagreement; agreement and coverage figures."""
    store = ui_store(request)
    detail = show_golden_set(store, name)
    size = 100
    browse = browse_golden_items(
        store, name, tag=tag or None, community=community or None, disagreement=disagreement,
        offset=max(page, 0) * size, limit=size,
    )  # fmt: skip
    agreement = golden_agreement(store, name)
    coverage = golden_coverage(store, name, by=("policy", "label", "community", "tag"))
    return render(request, "golden_set.html", session, detail=detail, browse=browse,
                  agreement=agreement, coverage=coverage, tag=tag or "",
                  community=community or "", disagreement=disagreement, page=max(page, 0),
                  size=size)  # fmt: skip


@router.get("/evals", summary="Eval runs.")
def evals(request: Request, session: Reader, enforcer: str | None = None) -> Response:
    """Eval runs, newest first."""
    runs = list_eval_runs(ui_store(request), enforcer=enforcer or None, limit=200)
    return render(request, "evals.html", session, runs=runs, enforcer=enforcer or "")


@router.get("/evals/{run_id}", summary="One eval run: figures, charts, comparison.")
def eval_run(request: Request, session: Reader, run_id: str) -> Response:
    """The report with its charts; pick another run to compare with."""
    store = ui_store(request)
    run = get_eval_run(store, run_id)
    predictions = [p for p in load_predictions(store, run_id) if p.score is not None]
    figures = run.figures
    charts = [slice_interval_chart([figures.overall, *figures.bands, *figures.slices])]
    if predictions:
        charts += [reliability_chart(predictions), score_histogram_chart(predictions)]
    others = [r for r in list_eval_runs(store, limit=200) if r.id != run_id]
    return render(request, "eval.html", session, run=run, charts=charts, others=others)


@router.get("/evals/{run_id}/compare", summary="Compare two eval runs pair by pair.")
def eval_compare(request: Request, session: Reader, run_id: str, against: str) -> Response:
    """Deltas with intervals, McNemar's test and the flipped items (baseline: `against`)."""
    report = compare_runs(ui_store(request), against, run_id)
    return render(request, "compare.html", session, report=report, run_id=run_id,
                  against=against)  # fmt: skip


@router.get("/evals/{run_id}/report.html", summary="The run's offline HTML report.")
async def eval_report(request: Request, session: Reader, run_id: str) -> Response:
    """Download the one-file HTML report (figures as inline SVG)."""
    store = ui_store(request)

    def build() -> str:
        run = get_eval_run(store, run_id)
        report = EvalReport(run=run, errors=tuple(run_error_clusters(store, run_id)),
                            predictions=tuple(load_predictions(store, run_id)))  # fmt: skip
        return render_report(report, ReportFormat.HTML)

    if "/" in run_id or "\\" in run_id:
        raise ValidationError(f"bad run id {run_id!r}")
    html = await run_in_threadpool(build)
    return Response(html, media_type="text/html", headers={
        "Content-Disposition": f'attachment; filename="eval-{run_id}.html"'})  # fmt: skip


__all__ = ["router"]
