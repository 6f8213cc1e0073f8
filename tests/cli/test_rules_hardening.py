"""`rules import-automod --name` refuses paths; `rules check` shows a timed-out rule as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "automod" / "leafcare.yaml"
SLOW_RULES = (
    "regex_timeout_ms: 10\nrules:\n"
    "  - id: slow\n    regex: ['(a|aa)+(?=!)']\n    match_on: raw\n"
    "  - id: plain\n    keywords: ['zzz']\n"
)


@pytest.mark.parametrize("name", ["../x", "a/b", "/tmp/evil", "..", ".hidden", "x y", ""])
def test_import_automod_path_like_name_is_a_clear_error(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("rules", "import-automod", str(FIXTURE), "--name", name)
    assert result.exit_code not in (0, 1, 70), result.stderr
    assert "--name" in result.stderr and "not a rule set name" in result.stderr
    assert not (tmp_path / "x.yaml").exists() and not list(tmp_path.rglob("*.yaml"))


def test_import_automod_plain_name_still_works(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("rules", "import-automod", str(FIXTURE), "--name", "leaf-care.v2")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "rules" / "leaf-care.v2.yaml").is_file()


def test_check_shows_a_timed_out_rule_not_no_rule_fired(run_cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "slow.yaml"
    file.write_text(SLOW_RULES, encoding="utf-8")
    result = run_cli("rules", "check", str(file), "a" * 5000)
    assert result.exit_code == 0, result.stderr
    assert "no rule fired" not in result.stdout
    assert "timed out" in result.stdout and "review" in result.stdout


def test_check_json_marks_the_timed_out_rule(run_cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "slow.yaml"
    file.write_text(SLOW_RULES, encoding="utf-8")
    rows = json.loads(run_cli("rules", "check", str(file), "a" * 5000, "-f", "json").stdout)
    assert [(row["rule"], row["fired"]) for row in rows] == [("slow", "timed out")]
