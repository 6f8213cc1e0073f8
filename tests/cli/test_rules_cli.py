"""`modgate rules check` shows what fires and why; bad files exit 6 with file:line."""

from __future__ import annotations

import json
from pathlib import Path

from modgate.cli.demo._rules import demo_ruleset_file
from tests.cli.conftest import Run


def test_check_shows_the_firing_rule_and_why(run_cli: Run) -> None:
    result = run_cli("rules", "check", str(demo_ruleset_file()), "i will k1ll you")
    assert result.exit_code == 0, result.stderr
    assert "threats" in result.stdout
    assert "'i will kill you'" in result.stdout
    assert "leet 1" in result.stdout  # what normalization changed
    assert "insult-trash" in result.stdout  # the fallback report names it


def test_check_json_lists_every_rule_with_all(run_cli: Run) -> None:
    result = run_cli(
        "rules", "check", str(demo_ruleset_file()), "f a g g o t", "--all", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = {row["rule"]: row for row in json.loads(result.stdout)}
    assert rows["slurs"]["fired"] == "yes" and rows["slurs"]["action"] == "review"
    assert rows["threats"]["fired"] == "no"
    assert rows["new-account-links"]["why"].startswith("community None")


def test_check_uses_item_options(run_cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "links.yaml"
    file.write_text(
        "rules:\n  - id: new\n    regex: ['https?://']\n    communities: [news]\n"
        "    author: {account_age_days: '< 7'}\n"
    )
    args = ("rules", "check", str(file), "see https://x.example", "--format", "json")
    assert json.loads(run_cli(*args).stdout) == []
    fired = json.loads(run_cli(*args, "--community", "news", "--author-age-days", "2").stdout)
    assert [row["rule"] for row in fired] == ["new"]


def test_invalid_ruleset_exits_6_naming_the_line(run_cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("rules:\n  - id: r\n    action: delete\n    keywords: [x]\n")
    result = run_cli("rules", "check", str(file), "x")
    assert result.exit_code == 6
    assert f"{file}:3:13: rules[0].action" in result.stderr


def test_unknown_ruleset_exits_4(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("-C", str(tmp_path), "rules", "check", "nope", "x")
    assert result.exit_code == 4
    assert "rule set 'nope' not found" in result.stderr


def test_a_workspace_ruleset_is_found_by_name(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "ws")).exit_code == 0
    (tmp_path / "ws" / "rules" / "mine.yaml").write_text("rules:\n  - id: r\n    keywords: [x]\n")
    result = run_cli("-C", str(tmp_path / "ws"), "rules", "check", "mine", "x", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["rule"] == "r"


def test_check_prints_the_filled_in_reason_and_timed_out_rules(
    run_cli: Run, tmp_path: Path
) -> None:
    file = tmp_path / "reasons.yaml"
    file.write_text(
        "regex_timeout_ms: 10\nrules:\n"
        "  - id: spam\n    keywords: [buy now]\n    match_on: raw\n"
        "    reason: 'spam phrase {{match}} in r/{{subreddit}}'\n"
        "  - id: slow\n    regex: ['(a|aa)+(?=!)']\n    match_on: raw\n"
    )
    args = ("rules", "check", str(file), "BUY NOW " + "a" * 5000, "--community", "deals")
    rows = {row["rule"]: row for row in json.loads(run_cli(*args, "--format", "json").stdout)}
    assert rows["spam"]["reason"] == "spam phrase BUY NOW in r/deals"
    assert rows["slow"]["fired"] == "timed out" and "timed out" in rows["slow"]["why"]
