from __future__ import annotations

import json
from pathlib import Path

from modgate.config import Settings
from modgate.domain import Item
from modgate.store import open_store, save_items

from ..enforce.conftest import synthetic_rows

SPEC = """\
kind: classifier
policy: hate@1
params:
  profile: fast
  n_features: 4096
thresholds:
  remove: 0.8
  review: 0.5
"""


def _setup(workspace: Settings) -> Path:
    ws = workspace.workspace
    assert ws is not None
    (ws / "enforcers" / "hate-clf.yaml").write_text(SPEC)
    lines = ["text,label,weight"] + [
        f"{r.text},{'violating' if r.label else 'non_violating'},1" for r in synthetic_rows(120)
    ]
    (ws / "train.csv").write_text("\n".join(lines) + "\n")
    dev = [json.dumps({"text": r.text, "label": r.label}) for r in synthetic_rows(40, seed=5)]
    (ws / "dev.jsonl").write_text("\n".join(dev) + "\n")
    store = open_store(workspace)
    items = [Item(id=f"i{n}", body=r.text) for n, r in enumerate(synthetic_rows(30, seed=9))]
    save_items(store, items, actor="tester")
    store.close()
    return ws


def test_train_score_list_show(workspace: Settings, run_cli) -> None:
    _setup(workspace)
    trained = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--train-file", "train.csv",
                      "--dev-file", "dev.jsonl")  # fmt: skip
    assert trained.exit_code == 0, trained.stderr
    assert "registered hate-clf@1" in trained.stdout and "dev: n=40 AUPRC=" in trained.stdout
    again = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--train-file", "train.csv",
                    "--dev-file", "dev.jsonl")  # fmt: skip
    assert "unchanged: identical content is already hate-clf@1" in again.stdout
    scored = run_cli("enforcer", "score", "hate-clf@1", "--items", "SELECT id FROM items",
                     "--batch-size", "7", "--format", "json")  # fmt: skip
    assert scored.exit_code == 0, scored.stderr
    result = json.loads(scored.stdout)[0]
    assert (result["selected"], result["scored"], result["batches"]) == (30, 30, 5)
    resumed = run_cli("enforcer", "score", "hate-clf", "--format", "json")
    assert json.loads(resumed.stdout)[0]["already_scored"] == 30
    listed = run_cli("enforcer", "list", "--format", "csv")
    assert listed.stdout.splitlines()[0].startswith("enforcer,kind,policy")
    assert "hate-clf@1,classifier,hate@1" in listed.stdout
    shown = json.loads(run_cli("enforcer", "show", "hate-clf@1").stdout)[0]
    assert shown["ref"] == "hate-clf@1" and shown["metrics"]["n"] == 40
    assert shown["spec"]["params"]["artifact_sha256"] == shown["artifact_hash"]


def test_register_recorded_and_gaps_exit_with_enforcer_error(workspace: Settings, run_cli) -> None:
    ws = _setup(workspace)
    (ws / "vendor.csv").write_text("item_id,score\n" + "".join(f"i{n},0.5\n" for n in range(28)))
    (ws / "enforcers" / "vendor.yaml").write_text(
        "kind: recorded\npolicy: hate@1\nparams:\n  path: vendor.csv\n"
    )
    registered = run_cli("enforcer", "register", "enforcers/vendor.yaml")
    assert registered.exit_code == 0 and "registered vendor@1" in registered.stdout
    refused = run_cli("enforcer", "score", "vendor")
    assert refused.exit_code == 9
    assert "no prediction for 2 item(s): i28, i29" in " ".join(refused.stderr.split())
    allowed = run_cli("enforcer", "score", "vendor", "--allow-missing", "--format", "json")
    assert json.loads(allowed.stdout)[0]["errors"] == 2


def test_bad_input_gives_clear_errors(workspace: Settings, run_cli) -> None:
    ws = _setup(workspace)
    (ws / "enforcers" / "broken.yaml").write_text(
        "kind: classifier\npolicy: hate@1\nparams:\n  C: -2\n"
    )
    broken = run_cli("enforcer", "register", "enforcers/broken.yaml")
    assert broken.exit_code == 6 and "broken.yaml:4:6: params.C" in broken.stderr
    both = run_cli("enforcer", "train", "enforcers/hate-clf.yaml")
    assert both.exit_code == 6 and "exactly one of --golden" in both.stderr
    golden = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--golden", "g@1")
    assert golden.exit_code == 4 and "no golden set named 'g'" in golden.stderr
    (ws / "bad.csv").write_text("text,label\nhello,perhaps\n")
    bad = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--train-file", "bad.csv")
    assert bad.exit_code == 6 and "bad.csv:2: label" in bad.stderr
    missing = run_cli("enforcer", "show", "ghost")
    assert missing.exit_code == 4
    empty = run_cli("enforcer", "list")
    assert "no enforcers registered" in empty.stdout


def test_train_on_a_frozen_golden_version_then_evaluate_from_stored_verdicts(
    workspace: Settings, run_cli, tmp_path: Path
) -> None:
    ws = workspace.workspace
    assert ws is not None
    (ws / "enforcers" / "hate-clf.yaml").write_text(SPEC)
    labels = tmp_path / "labels.csv"
    lines = ["id,text,annotator,label"] + [
        f"g{n},{r.text} {n},ann,{'violating' if r.label else 'non_violating'}"
        for n, r in enumerate(synthetic_rows(200, seed=21))
    ]
    labels.write_text("\n".join(lines) + "\n")
    imported = run_cli("golden", "import", "g", str(labels), "--policy", "hate")
    assert imported.exit_code == 0, imported.stderr
    assert run_cli("golden", "freeze", "g").exit_code == 0
    trained = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--golden", "g@1")
    assert trained.exit_code == 0, trained.stderr
    assert "registered hate-clf@1" in trained.stdout and "dev: n=" in trained.stdout
    shown = json.loads(run_cli("enforcer", "show", "hate-clf@1").stdout)[0]
    assert shown["data_hash"] and shown["metrics"]["n"] > 0
    missing = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--golden", "g@9")
    assert missing.exit_code == 4
    scored = run_cli("enforcer", "score", "hate-clf@1", "--format", "json")
    assert scored.exit_code == 0, scored.stderr
    evaluated = run_cli("eval", "run", "hate-clf@1", "g@1", "--resamples", "20", "--format", "json")
    assert evaluated.exit_code == 0, evaluated.stderr
    run = json.loads(evaluated.stdout)
    assert run["enforcer"] == "hate-clf@1"
    assert run["enforcer_version_hash"] == shown["version_hash"]
