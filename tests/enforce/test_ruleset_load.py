"""Rule set files: every problem reported at once with file:line:col (snapshot-tested)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.enforce.rules import AuthorConditions, RuleSetLoadError, load_ruleset, parse_ruleset
from modgate.enforce.rules._schema import RuleSet
from modgate.errors import NotFoundError, ValidationError

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"

INVALID = """\
name: broken
policy: hate_speech@1
rules:
  - id: ok
    keywords: [slur]
  - id: bad-action
    action: delete
    keywords: [x]
  - id: bad-field
    keyword: [typo]
  - id: bad-regex
    regex: ["(unclosed", "fine"]
  - id: empty-keyword
    keywords: ["\\u200b"]
  - id: case
    checks:
      - values: [Foo]
        case_sensitive: true
  - id: age
    author: {account_age_days: "< 3 fortnights"}
  - id: ok
    keywords: [again]
"""


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(INVALID, encoding="utf-8")
    with pytest.raises(RuleSetLoadError) as caught:
        load_ruleset(file)
    rendered = "\n".join(caught.value.problems).replace(str(file), "rules/broken.yaml")
    expected = (SNAPSHOTS / "rules_invalid.txt").read_text(encoding="utf-8").strip()
    assert rendered == expected
    assert isinstance(caught.value, ValidationError)
    assert caught.value.exit_code == 6


def test_compile_problems_are_all_listed_with_lines() -> None:
    text = """\
rules:
  - id: a
    regex: ["(a"]
  - id: b
    regex: ["[z"]
    keywords: ["\\ufeff"]
"""
    with pytest.raises(RuleSetLoadError) as caught:
        parse_ruleset(text, "x.yaml")
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("x.yaml:3:13: rules[0].regex[0]: invalid regex '(a'")
    assert problems[1].startswith("x.yaml:5:13: rules[1].regex[0]: invalid regex '[z'")
    assert problems[2].startswith("x.yaml:6:16: rules[1].keywords[0]: value '\\ufeff' is empty")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("rules: [", "x.yaml:1:9: invalid YAML: expected the node content"),
        ("- a\n- b\n", "x.yaml:1:1: expected a mapping with 'rules', got list"),
        ("", "got empty"),
        (
            "rules:\n  - id: a\n    keywords: [k]\n    keywords: [j]\n",
            "x.yaml:4:5: rules[0].keywords: duplicate key",
        ),
        ("rules:\n  - id: a\n", "x.yaml:2:5: rules[0]: rule 'a' has no condition"),
        ("rules: []\n", "x.yaml:1:8: rules: Tuple should have at least 1 item"),
        ("rules:\n  - id: a\n    keywords: [k]\n    score: 2\n", "x.yaml:4:12: rules[0].score:"),
    ],
)  # fmt: skip
def test_malformed_files_name_the_place(text: str, fragment: str) -> None:
    with pytest.raises(RuleSetLoadError) as caught:
        parse_ruleset(text, "x.yaml")
    assert fragment in str(caught.value)


def test_a_valid_file_loads_with_its_stem_as_name(tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text(
        "policy: p@1\nrules:\n  - id: r\n    regex: ['(?<=a)b', 'c+']\n    author:\n"
        "      account_age_days: '< 2 weeks'\n      karma: '>= 10'\n",
        encoding="utf-8",
    )
    compiled = load_ruleset(file)
    assert compiled.ruleset.name == "mine"
    rule = compiled.ruleset.rules[0]
    assert rule.author is not None and rule.author.account_age_days is not None
    assert rule.author.account_age_days.value == 14.0
    assert str(rule.author.karma) == ">= 10"
    assert compiled.report.fallback_rules == ("r",)
    assert compiled.report.re2_patterns == 2  # 'c+' in title and body


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_ruleset(tmp_path / "nope.yaml")


def test_ruleset_round_trips_through_json() -> None:
    ruleset = parse_ruleset(
        "rules:\n  - id: r\n    keywords: [k]\n    text_length: '> 5'\n"
        "    author: {karma: '< 3', satisfy_any_threshold: true, account_age_days: 2}\n"
    )
    again = RuleSet.model_validate_json(ruleset.model_dump_json())
    assert again == ruleset


_YAML_BITS = st.sampled_from(
    ["rules:", "\n  - id: r", "\n    keywords: [", "k", "]", "\n    regex: ['", "(a", "']",
     "\n    action: ", "remove", "delete", "\n    author: {karma: '", "< 3", "x", "'}", ": ", "- ",
     "\n", "  ", "[", "{", "'", '"', "\u200b", "&a", "*a", "!!python/object", "\t"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), st.lists(_YAML_BITS, max_size=30).map("".join)))
def test_any_text_either_loads_or_raises_a_load_error(text: str) -> None:
    try:
        ruleset = parse_ruleset(text, "x.yaml")
    except RuleSetLoadError as exc:
        assert exc.problems, "a load error lists at least one problem"
        assert all(p.startswith("x.yaml") for p in exc.problems)
    else:
        assert ruleset.rules


@given(
    st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "="]),
    st.integers(min_value=-10_000, max_value=10_000),
    st.sampled_from(["", " days", " weeks", " hours"]),
)
def test_comparisons_round_trip_through_their_text(op: str, value: int, unit: str) -> None:
    first = AuthorConditions.model_validate({"account_age_days": f"{op} {value}{unit}"})
    assert first.account_age_days is not None
    again = AuthorConditions.model_validate({"account_age_days": str(first.account_age_days)})
    assert again.account_age_days == first.account_age_days
