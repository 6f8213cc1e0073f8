from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from modgate.config import Settings
from modgate.domain import Verdict
from modgate.enforce import Enforcer
from modgate.evaluate import (
    EnforcerRef,
    EvalRun,
    FigureConfig,
    GoldenExample,
    GoldenRef,
    IntervalConfig,
    run_eval,
)
from modgate.store import open_store, save_items
from tests.evaluate.helpers import GOLDEN, KeywordEnforcer, examples, ref

from .conftest import Run

FAST = FigureConfig(intervals=IntervalConfig(resamples=100), min_support=10)

GATE = """\
min_support: 10
criteria:
  - kind: minimum
    metric: recall
    value: 0.9
  - kind: maximum
    metric: fpr
    value: 0.2
  - kind: budget
    metric: error_rate
    max: 0.01
"""


@pytest.fixture
def runs(workspace: Settings) -> tuple[EvalRun, EvalRun]:
    store = open_store(workspace)
    items = examples()
    save_items(store, [e.item for e in items], actor="t")
    good, bad = KeywordEnforcer("good"), KeywordEnforcer("bad", news_bias=0.6)
    a = run_eval(store, enforcer=ref(good), golden=GOLDEN, examples=items, actor="t",
                 predictor=good, config=FAST)  # fmt: skip
    b = run_eval(store, enforcer=ref(bad, "b" * 64), golden=GOLDEN, examples=items, actor="t",
                 predictor=bad, config=FAST)  # fmt: skip
    store.close()
    assert workspace.workspace is not None
    (workspace.workspace / "gates" / "prod.yaml").write_text(GATE, encoding="utf-8")
    return a, b


def test_eval_list_and_show(runs: tuple[EvalRun, EvalRun], run_cli: Run) -> None:
    listed = run_cli("eval", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert {r["id"] for r in json.loads(listed.stdout)} == {runs[0].id, runs[1].id}
    table = run_cli("eval", "list")
    assert runs[0].id in table.stdout
    shown = run_cli("eval", "show", runs[0].id, "--slices")
    assert shown.exit_code == 0, shown.stderr
    assert "overall" in shown.stdout and "community=c0" in shown.stdout
    as_json = json.loads(run_cli("eval", "show", runs[0].id, "--format", "json").stdout)
    assert as_json["id"] == runs[0].id
    missing = run_cli("eval", "show", "run-nope")
    assert missing.exit_code == 4 and "no eval run" in missing.stderr


def test_eval_report_in_three_formats(
    runs: tuple[EvalRun, EvalRun], run_cli: Run, tmp_path: Path
) -> None:
    markdown = run_cli("eval", "report", runs[0].id)
    assert markdown.exit_code == 0 and "## Worst slices" in markdown.stdout
    html_path = tmp_path / "r.html"
    html = run_cli("eval", "report", runs[0].id, "--format", "html", "--output", str(html_path))
    assert html.exit_code == 0 and "<table>" in html_path.read_text(encoding="utf-8")
    as_json = run_cli("eval", "report", runs[0].id, "--format", "json")
    assert json.loads(as_json.stdout)["figures"]["overall"]["name"] == "overall"


def test_eval_compare_prints_the_flip_report(runs: tuple[EvalRun, EvalRun], run_cli: Run) -> None:
    result = run_cli("eval", "compare", runs[0].id, runs[1].id, "--format", "markdown",
                     "--target", "allowed_context=news")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "McNemar" in result.stdout and "**broken**" in result.stdout
    assert "(target)" in result.stdout
    data = json.loads(run_cli("eval", "compare", runs[0].id, runs[1].id, "-f", "json").stdout)
    assert data["broken"] > 0
    table = run_cli("eval", "compare", runs[0].id, runs[1].id)
    assert table.exit_code == 0 and "Flipped items" in table.stdout


def test_eval_thresholds(runs: tuple[EvalRun, EvalRun], run_cli: Run) -> None:
    result = run_cli("eval", "thresholds", runs[0].id, "--target-precision", "0.95")
    assert result.exit_code == 0, result.stderr
    assert "thresholds:" in result.stdout and "remove:" in result.stdout
    args = ("--target-fpr", "0.01", "--per-community", "--min-support", "5", "-f", "json")
    data = json.loads(run_cli("eval", "thresholds", runs[0].id, *args).stdout)
    assert data["target"] == {"metric": "fpr", "value": 0.01}
    assert len(data["communities"]) == 3
    both = run_cli("eval", "thresholds", runs[0].id)
    assert both.exit_code == 6 and "exactly one" in both.stderr


def test_gate_check_exits_zero_only_on_go(
    runs: tuple[EvalRun, EvalRun], run_cli: Run, tmp_path: Path
) -> None:
    go = run_cli("gate", "check", runs[0].id, "--gates", "prod")
    assert go.exit_code == 0, go.stdout + go.stderr
    assert "GO" in go.stdout
    out = tmp_path / "report.md"
    no_go = run_cli("gate", "check", runs[1].id, "--gates", "prod", "--format", "markdown",
                    "--output", str(out))  # fmt: skip
    assert no_go.exit_code == 1
    assert "NO-GO" in no_go.stdout and "NO-GO" in out.read_text(encoding="utf-8")
    as_json = run_cli("gate", "check", runs[1].id, "-g", "prod", "--baseline", runs[0].id,
                      "-f", "json")  # fmt: skip
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["baseline_run_id"] == runs[0].id
    missing = run_cli("gate", "check", runs[0].id, "--gates", "nope")
    assert missing.exit_code == 4


class _Sources:
    def __init__(self) -> None:
        self.enforcer_impl = KeywordEnforcer()

    def golden(
        self, ref_: str, split: str, *, policy: str | None = None, on_changed: str = "error"
    ) -> tuple[GoldenRef, list[GoldenExample]]:
        assert ref_ == "hate-gold@1" and split == "test" and policy == "hate@1"
        return GOLDEN, examples(60)

    def enforcer(self, ref_: str) -> tuple[EnforcerRef, Enforcer | None]:
        return ref(self.enforcer_impl), self.enforcer_impl

    def stored_verdicts(
        self, enforcer: EnforcerRef, examples: Sequence[GoldenExample]
    ) -> dict[str, Verdict]:
        return {}


def test_eval_run_resolves_names_through_the_sources(
    workspace: Settings, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("modgate.evaluate.eval_sources", lambda store, **_: _Sources())
    result = run_cli("eval", "run", "kw", "hate-gold@1", "--resamples", "50", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n_items"] == 60 and data["golden"] == "hate-gold@1"
    bad = run_cli("eval", "run", "kw", "hate-gold")
    assert bad.exit_code == 6 and "NAME@VERSION" in bad.stderr


def test_demo_evaluates_compares_and_gates_two_enforcers(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "hate-speech-fast@1 on demo@1 test" in out
    assert "hate-speech-accurate@1 on demo@1 test" in out
    assert "McNemar p" in out
    reports = sorted((tmp_path / "demo" / "reports").iterdir())
    assert {p.suffix for p in reports} == {".md", ".html"}
    readiness = next(p for p in reports if p.name.startswith("gate-"))
    assert str(readiness) in out
    assert "Readiness" in readiness.read_text(encoding="utf-8")
    listed = run_cli("-C", str(tmp_path / "demo"), "eval", "list", "--format", "json")
    runs = json.loads(listed.stdout)
    evaluated = {r["enforcer"] for r in runs if r["enforcer"].startswith("hate-speech-")}
    assert {"hate-speech-fast@1", "hate-speech-accurate@1"} <= evaluated
    # the eval step made one run per enforcer; the red-team step adds one clean run per
    # enforcer it attacks (the baseline and the hardened classifier)
    assert len(runs) == 4
    assert "hate-speech-hardened@1" in evaluated


def test_eval_run_of_a_catalog_enforcer_and_thresholds_written_as_a_new_version(
    workspace: Settings, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modgate.enforce import EnforcerSpec, get_enforcer_version, register_enforcer
    from modgate.evaluate import StoreEvalSources

    assert workspace.workspace is not None
    items = examples(120)
    verdicts = KeywordEnforcer().predict([e.item for e in items])
    lines = ["item_id,score"] + [f"{v.item_id},{v.score:.4f}" for v in verdicts]
    (workspace.workspace / "vendor.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(workspace)
    register_enforcer(
        store,
        EnforcerSpec(
            name="vendor", kind="recorded", policy="hate@1", params={"path": "vendor.csv"}
        ),
        workspace=workspace.workspace,
        actor="t",
    )

    class Sources(StoreEvalSources):
        def golden(
            self, ref_: str, split: str, *, policy: str | None = None, on_changed: str = "error"
        ) -> tuple[GoldenRef, list[GoldenExample]]:
            return GOLDEN, items

    monkeypatch.setattr(
        "modgate.evaluate.eval_sources", lambda store, workspace: Sources(store, workspace)
    )
    result = run_cli("eval", "run", "vendor", "hate-gold@1", "--resamples", "50", "-f", "json")
    assert result.exit_code == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["enforcer"] == "vendor@1"
    assert run["enforcer_version_hash"] == get_enforcer_version(store, "vendor@1").version_hash
    written = run_cli("eval", "thresholds", run["id"], "--target-precision", "0.99", "--write")
    assert written.exit_code == 0, written.stderr
    assert "registered vendor@2" in written.stderr
    new = get_enforcer_version(store, "vendor@2")
    assert new.spec.thresholds.remove is not None and new.spec.thresholds.remove > 0.5
    assert new.spec.params == get_enforcer_version(store, "vendor@1").spec.params
    store.close()
