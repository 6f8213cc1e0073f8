from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from modgate.errors import NotFoundError, StaleReportError
from modgate.evaluate import FigureConfig, IntervalConfig, run_eval
from modgate.release import (
    GateResult,
    build_readiness_report,
    check_gates,
    gate_file_hash,
    get_gate_report,
    list_gate_reports,
    render_json,
    render_markdown,
    resolve_gate_path,
    verify_report,
)
from modgate.store import Store, list_audit_events
from tests.evaluate.helpers import GOLDEN, KeywordEnforcer, examples, ref

FAST = FigureConfig(intervals=IntervalConfig(resamples=100), min_support=10)
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _result(passed: bool) -> GateResult:
    return GateResult(id="minimum:recall", kind="minimum", requirement="recall >= 0.9",
                      passed=passed, measured=0.95, evidence="1 scope(s) pass")  # fmt: skip


def _report(passed: bool = True):  # type: ignore[no-untyped-def]
    return build_readiness_report(
        report_id="gate-1", run_id="run-1", enforcer="kw@1", enforcer_version_hash="e" * 64,
        golden="hate-gold@1", golden_hash="g" * 64, gate_name="prod", gate_hash="h" * 64,
        results=[_result(passed)], created_at=NOW, created_by="tester",
    )  # fmt: skip


def test_a_report_is_refused_for_another_enforcer_golden_version_or_gate_file() -> None:
    report = _report()
    verify_report(report, "e" * 64, "g" * 64, "h" * 64)  # the one it was computed for
    with pytest.raises(StaleReportError, match="enforcer version"):
        verify_report(report, "x" * 64, "g" * 64, "h" * 64)
    with pytest.raises(StaleReportError, match="golden version"):
        verify_report(report, "e" * 64, "y" * 64, "h" * 64)
    with pytest.raises(StaleReportError, match="gate file"):
        verify_report(report, "e" * 64, "g" * 64, "z" * 64)
    with pytest.raises(StaleReportError, match="no-go"):
        verify_report(_report(passed=False), "e" * 64, "g" * 64, "h" * 64)


def test_verdict_is_go_only_when_every_criterion_passes() -> None:
    assert _report().verdict == "go"
    assert _report(passed=False).verdict == "no-go"
    empty = build_readiness_report(
        report_id="r", run_id="r", enforcer="e", enforcer_version_hash="e", golden="g",
        golden_hash="g", gate_name="n", gate_hash="h", results=[], created_at=NOW,
        created_by="t",
    )  # fmt: skip
    assert empty.verdict == "no-go"


def test_renderings_carry_verdict_hashes_and_evidence() -> None:
    markdown = render_markdown(_report(passed=False))
    assert "NO-GO" in markdown and "eeeeeeeeeeee" in markdown and "FAIL" in markdown
    assert '"verdict": "go"' in render_json(_report())


GATE = """\
min_support: 10
criteria:
  - kind: minimum
    metric: recall
    value: 0.9
  - kind: maximum
    metric: fpr
    slices: [allowed_context=news]
    value: 0.2
  - kind: regression
    metric: fpr
    max_drop: 0.01
"""


def test_check_gates_stores_a_bound_report_and_detects_a_regression(
    store: Store, tmp_path: Path
) -> None:
    gate = tmp_path / "gates" / "prod.yaml"
    gate.parent.mkdir()
    gate.write_text(GATE, encoding="utf-8")
    items = examples()
    good, bad = KeywordEnforcer("good"), KeywordEnforcer("bad", news_bias=0.6)
    base = run_eval(store, enforcer=ref(good), golden=GOLDEN, examples=items, actor="t",
                    predictor=good, config=FAST)  # fmt: skip
    cand = run_eval(store, enforcer=ref(bad, "b" * 64), golden=GOLDEN, examples=items,
                    actor="t", predictor=bad, config=FAST)  # fmt: skip
    go = check_gates(store, base.id, resolve_gate_path("prod", tmp_path), actor="t",
                     )  # fmt: skip
    assert go.verdict == "no-go"  # the regression criterion has no baseline: fails closed
    report = check_gates(store, cand.id, gate, actor="t", baseline_run_id=base.id)
    assert report.verdict == "no-go"
    failed = {r.id for r in report.results if not r.passed}
    assert "regression:fpr" in failed and "maximum:fpr:allowed_context=news" in failed
    assert report.enforcer_version_hash == "b" * 64 and report.golden_hash == GOLDEN.content_hash
    assert report.gate_hash == gate_file_hash(GATE)
    assert get_gate_report(store, report.id) == report
    assert {r.id for r in list_gate_reports(store, run_id=cand.id)} == {report.id}
    verify_report(report.model_copy(update={"verdict": "go"}), "b" * 64, GOLDEN.content_hash,
                  gate_file_hash(GATE))  # fmt: skip
    with pytest.raises(StaleReportError):
        verify_report(report, "e" * 64, GOLDEN.content_hash, gate_file_hash(GATE))
    assert list_audit_events(store, action="gate.check")


def test_missing_gate_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no gate file"):
        resolve_gate_path("nope", tmp_path)
