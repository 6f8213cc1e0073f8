from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from modgate.config import Settings
from modgate.evaluate import EvalRun, FigureConfig, IntervalConfig, run_eval
from modgate.policy import example_policy_files, load_policy_file
from modgate.store import open_store, save_items
from tests.evaluate.helpers import GOLDEN, KeywordEnforcer, examples, ref

from .conftest import Run

ROWS = [
    ["pics", "No self-promotion", "Don't post your own channel.", "link"],
    ["pics", "Be nice", "", "all"],
    ["art", "No self promotion", "", "all"],
    ["art", "Slurs are allowed", "Slurs are fine here.", "all"],
]


def _rules(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group", "title", "text", "kind"])
        writer.writerows(rows)
    return path


@pytest.fixture
def site(workspace: Settings) -> Path:
    return example_policy_files()[0].parent


def test_import_lint_diff_families_and_export(site: Path, run_cli: Run, tmp_path: Path) -> None:
    first = _rules(tmp_path / "a.csv", ROWS)
    flags = ["--community", "group", "--rule", "title", "--site-policies", str(site)]
    result = run_cli("policy", "import-community", str(first), *flags)
    assert result.exit_code == 0, result.stderr
    assert "4 rules of 2 communities · 4 added" in result.stdout
    assert "[contradicts_site]" in result.stdout and "[vague_term]" in result.stdout
    strict = run_cli("policy", "import-community", str(first), *flags, "--strict", "--json")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["unchanged"] == 4
    second = _rules(tmp_path / "b.csv", [*ROWS[:1], ["pics", "No links", "", "comment"]])
    assert run_cli("policy", "import-community", str(second), *flags).exit_code == 0
    diff = run_cli("policy", "diff-community", "--format", "json")
    changes = {
        (c["community"], c["rule_key"], c["change"]) for c in json.loads(diff.stdout)["changes"]
    }
    assert changes == {("pics", "be-nice", "removed"), ("pics", "no-links", "added")}
    as_csv = run_cli("policy", "diff-community", "--before", "1", "--after", "2", "--format", "csv")
    assert as_csv.stdout.splitlines()[0].startswith("community,rule,change")
    lint = run_cli("policy", "lint-community", "--site-policies", str(site), "--format", "json")
    assert lint.exit_code == 1  # art still allows slurs
    assert json.loads(lint.stdout)["findings"]["contradicts_site"] == 1
    families = run_cli("policy", "families", "--format", "json")
    assert families.exit_code == 0, families.stderr
    listed = json.loads(families.stdout)
    assert listed[0]["size"] == 2 and listed[0]["communities"] == 2
    out = tmp_path / "out"
    exported = run_cli("policy", "export-community", str(out), "--community", "pics")
    assert exported.exit_code == 0 and "1 community policy file(s)" in exported.stdout
    policy = load_policy_file(out / "community-pics.yaml").policy
    assert policy.scope == "community:pics" and len(policy.violates) == 2


def test_import_with_bad_rows_exits_7_and_missing_columns_exit_6(
    site: Path, run_cli: Run, tmp_path: Path
) -> None:
    path = _rules(tmp_path / "a.csv", [*ROWS, ["", "x", "", "all"]])
    result = run_cli(
        "policy", "import-community", str(path), "--community", "group", "--rule", "title"
    )
    assert result.exit_code == 7 and "1 of 5 rows rejected" in result.stderr
    assert run_cli("policy", "import-community", str(path)).exit_code == 7  # names known
    odd = tmp_path / "odd.csv"
    odd.write_text("where,what\npics,No spam\n", encoding="utf-8")
    missing = run_cli("policy", "import-community", str(odd))
    assert missing.exit_code == 6 and "--community COLUMN" in missing.stderr
    assert run_cli("policy", "diff-community", "--after", "9").exit_code == 4


@pytest.fixture
def run(workspace: Settings) -> EvalRun:
    store = open_store(workspace)
    items = examples(150)
    save_items(store, [e.item for e in items], actor="t")
    enforcer = KeywordEnforcer()
    config = FigureConfig(intervals=IntervalConfig(resamples=50), min_support=10)
    found = run_eval(store, enforcer=ref(enforcer), golden=GOLDEN, examples=items, actor="t",
                     predictor=enforcer, config=config)  # fmt: skip
    store.close()
    return found


def test_eval_communities_shows_raw_and_shrunk_figures_and_a_plan(
    run: EvalRun, run_cli: Run
) -> None:
    table = run_cli("eval", "communities", run.id, "--budget", "30")
    assert table.exit_code == 0, table.stderr
    assert "precision shrunk" in table.stdout and "reviews" in table.stdout
    data = json.loads(
        run_cli("eval", "communities", run.id, "--budget", "30", "--format", "json").stdout
    )
    assert {c["community"] for c in data["communities"]} == {"c0", "c1", "c2"}
    assert sum(a["reviews"] for a in data["plan"]) == 30
    assert all(c["items"] == 50 for c in data["communities"])
    assert run_cli("eval", "communities", run.id, "--sort", "nope").exit_code == 6
    assert data["family"] is None  # the run's enforcer serves no family: toward the site
    assert run_cli("eval", "communities", run.id, "--family", "999").exit_code == 4
