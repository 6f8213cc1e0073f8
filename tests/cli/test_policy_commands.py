from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from modgate.config import Settings
from modgate.policy import example_policy_files

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "policy" / "data"


@pytest.fixture
def policies(workspace: Settings) -> Path:
    folder = Path("policies")
    for path in example_policy_files():
        shutil.copyfile(path, folder / path.name)
    return folder


def test_lint_defaults_to_the_workspace_policies_and_passes(policies: Path, run_cli: Run) -> None:
    result = run_cli("policy", "lint")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "3 file(s): 0 error(s), 0 warning(s), 3 clean" in result.stdout


def test_lint_exits_non_zero_on_errors_and_lists_them(workspace: Settings, run_cli: Run) -> None:
    shutil.copyfile(DATA / "lint_mistakes.yaml", "bad.yaml")
    result = run_cli("policy", "lint", "bad.yaml")
    assert result.exit_code == 1
    assert "bad.yaml:29:16: error [dangling_ids]" in result.stdout
    assert "3 error(s), 2 warning(s)" in result.stdout
    as_json = json.loads(run_cli("policy", "lint", "bad.yaml", "--format", "json").stdout)
    assert [f["check"] for f in as_json[0]["findings"]][0] == "duplicate_ids"
    assert (as_json[0]["errors"], as_json[0]["warnings"]) == (3, 2)
    skip = ["--ignore", "duplicate_ids", "--ignore", "dangling_ids"]
    skip += ["--ignore", "contradictory_examples"]
    assert run_cli("policy", "lint", "bad.yaml", *skip).exit_code == 0
    assert run_cli("policy", "lint", "bad.yaml", *skip, "--strict").exit_code == 1


def test_lint_reports_load_errors_and_a_tight_budget(policies: Path, run_cli: Run) -> None:
    shutil.copyfile(DATA / "five_mistakes.yaml", "five.yaml")
    result = run_cli("policy", "lint", "five.yaml")
    assert result.exit_code == 1
    assert result.stdout.count("error [schema]") == 5
    tight = run_cli("policy", "lint", "policies/harassment.yaml", "--token-budget", "100")
    assert tight.exit_code == 0
    assert "warning [token_budget]" in tight.stdout


def test_publish_list_show_and_conflict(policies: Path, run_cli: Run) -> None:
    first = run_cli("policy", "publish", "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert [r["status"] for r in json.loads(first.stdout)] == ["published"] * 3
    again = run_cli("policy", "publish", "policies/harassment.yaml", "--format", "json")
    assert json.loads(again.stdout)[0]["status"] == "unchanged"
    listed = json.loads(run_cli("policy", "list", "--format", "json").stdout)
    assert [(r["id"], r["version"]) for r in listed] == [
        ("harassment", 1),
        ("hate_speech", 1),
        ("violent_threats", 1),
    ]
    shown = json.loads(run_cli("policy", "show", "hate_speech@1", "--format", "json").stdout)
    assert shown["policy"]["violates"][0]["id"] == "HATE1"
    source = run_cli("policy", "show", "hate_speech", "--yaml").stdout
    assert source == Path("policies/hate_speech.yaml").read_text(encoding="utf-8")
    assert "HATE1" in run_cli("policy", "show", "hate_speech@1").stdout
    path = Path("policies/harassment.yaml")
    path.write_text(path.read_text().replace("severity: medium", "severity: high"))
    conflict = run_cli("policy", "publish", str(path))
    assert conflict.exit_code == 5
    assert "already published with different content" in conflict.stderr
    audit = json.loads(run_cli("audit", "list", "--action", "policy.*", "--format", "json").stdout)
    assert len(audit) == 3


def test_compile_file_and_published_version_give_the_same_bytes(
    policies: Path, run_cli: Run, tmp_path: Path
) -> None:
    from_file = run_cli("policy", "compile", "policies/violent_threats.yaml")
    assert from_file.exit_code == 0
    assert from_file.stdout.startswith("# Violent threats (violent_threats@1)")
    assert "cl100k_base" in from_file.stderr and "prompt sha256" in from_file.stderr
    run_cli("policy", "publish")
    target = tmp_path / "prompt.md"
    from_store = run_cli("policy", "compile", "violent_threats@1", "--output", str(target))
    assert from_store.exit_code == 0
    assert target.read_text(encoding="utf-8") == from_file.stdout
    as_json = json.loads(run_cli("policy", "compile", "violent_threats@1", "-f", "json").stdout)
    assert as_json["text"] == from_file.stdout and as_json["tokens"]["exact"] is True
    tight = run_cli("policy", "compile", "policies/violent_threats.yaml", "--token-budget", "10")
    assert "warning: over the token budget of 10" in tight.stderr
    template = tmp_path / "t.j2"
    template.write_text("{{ policy.id }}\n")
    assert run_cli(
        "policy", "compile", "violent_threats@1", "--template", str(template)
    ).stdout == ("violent_threats\n")


def test_diff_between_a_published_version_and_a_file(policies: Path, run_cli: Run) -> None:
    run_cli("policy", "publish")
    path = Path("policies/harassment.yaml")
    text = path.read_text().replace("version: 1", "version: 2")
    path.write_text(text.replace("actions: [remove, review, warn]", "actions: [remove, review]"))
    table = run_cli("policy", "diff", "harassment@1", str(path))
    assert table.exit_code == 0, table.stderr
    assert "harassment@1" in table.stdout and "warn" in table.stdout
    data = json.loads(run_cli("policy", "diff", "harassment@1", str(path), "-f", "json").stdout)
    assert {(c["section"], c["change"], c["key"]) for c in data["changes"]} == {
        ("policy", "changed", "version"),
        ("actions", "removed", "warn"),
    }
    md = run_cli("policy", "diff", "harassment@1", str(path), "-f", "markdown").stdout
    assert "### actions" in md
    csv_out = run_cli("policy", "diff", "harassment@1", str(path), "-f", "csv").stdout
    assert csv_out.splitlines()[0] == "section,change,key,field,detail"
    same = run_cli("policy", "diff", "harassment@1", "harassment")
    assert "same content" in same.stdout
    missing = run_cli("policy", "diff", "harassment@7", str(path))
    assert missing.exit_code == 4


def test_demo_lints_publishes_and_compiles_the_examples(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stderr
    for name in ("harassment@1", "hate_speech@1", "violent_threats@1"):
        assert f"policy {name}: lint 0 error(s)" in result.stdout
        assert (tmp_path / "demo" / "build" / "prompts" / f"{name}.md").exists()
    again = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert "unchanged" in again.stdout
