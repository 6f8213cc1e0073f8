from __future__ import annotations

import json
from pathlib import Path

import pytest

from modgate.enforce.rules import load_ruleset
from tests.cli.conftest import Run

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "automod" / "leafcare.yaml"


def test_import_writes_rule_set_and_report(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("rules", "import-automod", str(FIXTURE), "--community", "leafcare")
    assert result.exit_code == 0, result.stderr
    rules_file = tmp_path / "rules" / "leafcare.yaml"
    report_file = tmp_path / "rules" / "leafcare.automod-report.md"
    compiled = load_ruleset(rules_file)
    assert compiled.ruleset.name == "leafcare"
    assert all(rule.communities == ("leafcare",) for rule in compiled.ruleset.rules)
    report = report_file.read_text(encoding="utf-8")
    assert "| unsupported | 3 |" in report
    assert "`standard: image hosting sites` is modgate's definition" in report
    assert "44 translated" in result.stdout


def test_import_refuses_to_overwrite_without_force(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "am.yaml"
    first = run_cli("rules", "import-automod", str(FIXTURE), "-o", str(out), "-f", "json")
    assert first.exit_code == 0
    payload = json.loads(first.stdout)
    assert payload["counts"]["translated"] == 44
    assert {e["status"] for e in payload["entries"]} >= {"translated", "invalid", "ignored"}
    again = run_cli("rules", "import-automod", str(FIXTURE), "-o", str(out))
    assert again.exit_code != 0
    assert "exists" in again.stderr
    forced = run_cli("rules", "import-automod", str(FIXTURE), "-o", str(out), "--force")
    assert forced.exit_code == 0


def test_import_report_as_markdown_and_json_file(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "am.yaml"
    report = tmp_path / "report.json"
    result = run_cli(
        "rules",
        "import-automod",
        str(FIXTURE),
        "-o",
        str(out),
        "--report",
        str(report),
        "--format",
        "markdown",
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("# AutoModerator import")
    assert json.loads(report.read_text(encoding="utf-8"))["rule_set"] == "leafcare"


def test_unreadable_file_is_a_clear_error(run_cli: Run, tmp_path: Path) -> None:
    missing = run_cli("rules", "import-automod", str(tmp_path / "nope.yaml"))
    assert missing.exit_code != 0
    assert "cannot read" in missing.stderr
