"""`modgate redteam run` end to end: a registered rules enforcer on a frozen golden set."""

from __future__ import annotations

import json
from pathlib import Path

from modgate.config import Settings
from tests.cli.conftest import Run

RULES = """\
name: hate
policy: hate@1
rules:
  - id: vermin
    criterion: dehumanization
    action: remove
    keywords: [vermin, filth]
"""
SPEC = """\
name: hate-rules
kind: rules
policy: hate@1
params: {ruleset: rules/hate.yaml}
"""
GATE = """\
criteria:
  - kind: attack_success
    family: normalized
    max: 0.0
"""


def _setup(workspace: Settings, run_cli: Run, tmp_path: Path) -> None:
    ws = workspace.workspace
    assert ws is not None
    (ws / "rules" / "hate.yaml").write_text(RULES)
    (ws / "enforcers" / "hate-rules.yaml").write_text(SPEC)
    (ws / "gates" / "robust.yaml").write_text(GATE)
    assert run_cli("enforcer", "register", "enforcers/hate-rules.yaml").exit_code == 0
    lines = ["id,text,annotator,label"]
    for n in range(80):
        bad = n % 2 == 0
        text = f"those people are vermin number {n}" if bad else f"the library opens at {n}"
        lines.append(f"g{n},{text},ann,{'violating' if bad else 'non_violating'}")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(lines) + "\n")
    assert run_cli("golden", "import", "g", str(labels), "--policy", "hate").exit_code == 0
    assert run_cli("golden", "freeze", "g").exit_code == 0


def test_redteam_run_reports_stores_and_feeds_the_gate(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    _setup(workspace, run_cli, tmp_path)
    md = tmp_path / "rt.md"
    table = run_cli(
        "redteam", "run", "hate-rules@1", "g@1", "--split", "train",
        "-p", "normalized,phonetic,masking", "--markdown", str(md),
    )  # fmt: skip
    assert table.exit_code == 0, table.stderr
    assert "attack success" in table.stdout and "held_out" in table.stdout
    assert "### Adversarial robustness" in md.read_text(encoding="utf-8")
    result = run_cli(
        "redteam", "run", "hate-rules@1", "g@1", "--split", "train", "-p", "normalized",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    normalized = next(
        f
        for f in report["figures"]["attack_success"]
        if f["family"] == "normalized" and f["scope"] == "overall"
    )
    # the rules read normalized text, and the normalized family is undone exactly on ASCII
    assert normalized["count"] == 0 and normalized["total"] == report["n_caught"] > 0
    gate = run_cli("gate", "check", report["eval_run_id"], "--gates", "robust")
    assert gate.exit_code == 0, gate.stdout + gate.stderr
    as_csv = run_cli(
        "redteam", "run", "hate-rules@1", "g@1", "--split", "train", "-p", "masking",
        "--format", "csv",
    )  # fmt: skip
    assert as_csv.stdout.splitlines()[0].startswith("measure,family,scope")
    listed = json.loads(run_cli("redteam", "list", "--format", "json").stdout)
    assert report["id"] in {r["id"] for r in listed} and len(listed) == 3
    shown = json.loads(run_cli("redteam", "show", report["id"], "--format", "json").stdout)
    assert shown == report
    held = run_cli(
        "redteam", "run", "hate-rules@1", "g@1", "--split", "train", "-p", "held_out",
        "--examples", "50", "--format", "json",
    )  # fmt: skip
    held_id = json.loads(held.stdout)["id"]
    added = run_cli("redteam", "add-to-golden", held_id, "g-adv")
    assert added.exit_code == 0, added.stderr
    assert "adversarial item(s) to g-adv" in added.stdout
    none_kept = run_cli("redteam", "add-to-golden", report["id"], "g-adv")
    assert none_kept.exit_code != 0 and "no successful attack" in none_kept.stderr
    unknown = run_cli("redteam", "run", "hate-rules@1", "g@1", "-p", "nope")
    assert unknown.exit_code != 0 and "unknown perturbation 'nope'" in unknown.stderr
    bad_ref = run_cli("redteam", "run", "hate-rules@1", "g")
    assert bad_ref.exit_code != 0 and "NAME@VERSION" in bad_ref.stderr
