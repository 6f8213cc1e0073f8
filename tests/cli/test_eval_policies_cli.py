"""`eval run` judges the full stored item, as `enforcer score` (and production) does."""

from __future__ import annotations

import json
from pathlib import Path

from modgate.config import Settings
from modgate.enforce import list_verdicts
from modgate.evaluate import load_predictions
from modgate.store import open_store
from tests.cli.conftest import Run
from tests.evaluate.test_policies import _workspace_set_up


def test_rules_on_kind_author_and_title_judge_alike_in_eval_run_and_enforcer_score(
    workspace: Settings, tmp_path: Path, run_cli: Run
) -> None:
    store = _workspace_set_up(workspace, tmp_path)
    store.close()
    evaluated = run_cli("eval", "run", "spam-rules", "two@1", "--resamples", "20",
                        "--format", "json")  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.stderr
    run_id = json.loads(evaluated.stdout)["id"]
    shown = run_cli("eval", "show", run_id, "--errors")
    assert shown.exit_code == 0, shown.stderr
    assert "failure modes" in shown.stdout and "false negatives" in shown.stdout
    report = run_cli("eval", "report", run_id)
    assert "## Failure modes" in report.stdout
    as_json = json.loads(run_cli("eval", "report", run_id, "--format", "json").stdout)
    assert as_json["id"] == run_id and as_json["errors"]
    scored = run_cli("enforcer", "score", "spam-rules@1", "--items",
                     "SELECT id FROM items WHERE id LIKE 's%'", "--format", "json")  # fmt: skip
    assert scored.exit_code == 0, scored.stderr
    store = open_store(workspace)
    stored = {v.item_id: v for v in list_verdicts(store, enforcer="spam-rules", version=1)}
    preds = load_predictions(store, run_id)
    assert len(preds) > 10
    fired_by = {p.criteria for p in preds}
    assert ("promotion",) in fired_by and () in fired_by  # kind/author and title rules fire
    for p in preds:
        verdict = stored[p.item_id]
        assert (p.score, p.predicted, p.action, p.criteria) == (
            verdict.score, verdict.label == "violating", verdict.action, verdict.criteria,
        )  # fmt: skip
    store.close()


def test_enforcer_train_prints_rows_per_class_and_source_and_warns_on_few_rows(
    workspace: Settings, tmp_path: Path, run_cli: Run
) -> None:
    ws = workspace.workspace
    assert ws is not None
    (ws / "enforcers" / "tiny.yaml").write_text(
        "kind: classifier\npolicy: hate@1\nparams: {profile: fast, n_features: 4096}\n"
        "thresholds: {remove: 0.8, review: 0.5}\n",
        encoding="utf-8",
    )
    lines = ["text,label"] + [f"they are vermin {i},violating" for i in range(8)]
    lines += [f"lovely weather today {i},non_violating" for i in range(8)]
    (ws / "tiny.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    trained = run_cli("enforcer", "train", "enforcers/tiny.yaml", "--train-file", "tiny.csv")
    assert trained.exit_code == 0, trained.stderr
    assert "fitted on file:tiny.csv: 8 violating, 8 non-violating" in trained.stdout
    assert "calibration skipped" in " ".join(trained.stderr.split())
    assert "dev: no held-out rows" in trained.stdout
    shown = json.loads(run_cli("enforcer", "show", "tiny@1").stdout)[0]
    assert any("calibration skipped" in w for w in shown["metrics"]["training_warnings"])


def test_eval_cv_prints_folds_and_paired_deltas(
    workspace: Settings, tmp_path: Path, run_cli: Run
) -> None:
    from tests.enforce.conftest import synthetic_rows

    ws = workspace.workspace
    assert ws is not None
    for name, c in (("a", 0.1), ("b", 8.0)):
        (ws / "enforcers" / f"{name}.yaml").write_text(
            "kind: classifier\npolicy: hate@1\n"
            f"params: {{profile: fast, n_features: 4096, C: {c}}}\n",
            encoding="utf-8",
        )
    labels = tmp_path / "labels.csv"
    lines = ["id,text,annotator,label,group"] + [
        f"g{n},{r.text} {n},ann,{'violating' if r.label else 'non_violating'},t{n // 4}"
        for n, r in enumerate(synthetic_rows(240, seed=2))
    ]
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_cli("golden", "import", "g", str(labels), "--policy", "hate").exit_code == 0
    assert run_cli("golden", "freeze", "g").exit_code == 0
    out = run_cli("eval", "cv", "enforcers/a.yaml", "g@1", "--folds", "3", "--against",
                  "enforcers/b.yaml", "--resamples", "20", "--format", "json")  # fmt: skip
    assert out.exit_code == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["results"]) == 3 and len(report["delta_per_fold"]) == 3
    assert report["summary"]["roc_auc"]["folds"] == 3
    table = run_cli("eval", "cv", "enforcers/a.yaml", "g@1", "--folds", "3")
    assert table.exit_code == 0 and "mean ± sd" in table.stdout


def test_golden_export_to_and_import_from_labeling_tools(
    workspace: Settings, tmp_path: Path, run_cli: Run
) -> None:
    from tests.golden.conftest import annotation_rows, write_csv

    source = write_csv(tmp_path / "labels.csv", annotation_rows())
    assert run_cli("golden", "import", "g", str(source), "--policy", "hate").exit_code == 0
    for tool in ("label-studio", "argilla"):
        path = tmp_path / f"{tool}.json"
        out = run_cli("golden", "export", "g", str(path), "--to", tool)
        assert out.exit_code == 0, out.stderr
        back = run_cli("golden", "import", f"g-{tool}", str(path), "--from", tool)
        assert back.exit_code == 0, back.stderr
        assert "6 items" in back.stdout and "0 updated" in back.stdout
    bad = run_cli("golden", "import", "x", str(source), "--from", "prodigy")
    assert bad.exit_code == 6
