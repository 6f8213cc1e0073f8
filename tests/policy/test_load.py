from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.errors import NotFoundError
from modgate.policy import (
    Example,
    Policy,
    PolicyLoadError,
    example_policy_files,
    load_policy_file,
    load_policy_text,
)

from .conftest import Snapshot

MINIMAL = """\
id: demo
version: 1
title: Demo
definition: A demo policy.
violates:
  - id: D1
    title: Demo rule
    description: Says the word demo.
severity: low
actions: [label]
"""


def _errors(exc: PolicyLoadError) -> list[tuple[int | None, str]]:
    return [(f.line, f.field) for f in exc.findings]


def test_example_policies_load() -> None:
    files = example_policy_files()
    assert [f.stem for f in files] == ["harassment", "hate_speech", "violent_threats"]
    for path in files:
        loaded = load_policy_file(path)
        assert loaded.policy.id == path.stem
        assert len(loaded.policy.examples) >= 8
        assert {e.label for e in loaded.policy.examples} == {"violates", "safe"}
        assert any("hard_negative" in e.tags for e in loaded.policy.examples)


def test_five_mistakes_are_all_reported_with_their_lines(
    data_dir: Path, snapshot: Snapshot
) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(data_dir / "five_mistakes.yaml")
    assert _errors(caught.value) == [
        (1, "id"),
        (2, "version"),
        (10, "violates[1].description"),  # the criterion missing it starts on line 10
        (18, "examples[0].label"),
        (23, "examples[1].notes"),
    ]
    assert all(f.file == "five_mistakes.yaml" for f in caught.value.findings)
    assert "did you mean 'note'?" in str(caught.value)
    snapshot("policy_load_five_mistakes.txt", str(caught.value) + "\n")


def test_yaml_syntax_error_names_the_line() -> None:
    text = MINIMAL.replace("title: Demo rule", "title: [unclosed")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(text, file="p.yaml")
    (finding,) = caught.value.findings
    assert finding.check == "yaml"
    assert finding.line is not None and 7 <= finding.line <= 8


def test_duplicate_keys_are_reported_not_silently_dropped() -> None:
    text = MINIMAL.replace("severity: low\n", "severity: low\nseverity: high\n")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(text, file="p.yaml")
    (finding,) = caught.value.findings
    assert finding.line == 10
    assert "duplicate key 'severity' (first at line 9)" in finding.message


def test_yaml_11_booleans_and_dates_stay_text() -> None:
    text = (
        MINIMAL
        + "examples:\n  - text: no\n    label: safe\n  - text: 2024-01-01\n    label: safe\n"
    )
    loaded = load_policy_text(text)
    assert [e.text for e in loaded.policy.examples] == ["no", "2024-01-01"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [("", "got an empty file"), ("- a\n- b\n", "got a list"), ("just text\n", "got a str")],
)
def test_a_file_that_is_not_a_mapping_is_refused(text: str, needle: str) -> None:
    with pytest.raises(PolicyLoadError, match=needle):
        load_policy_text(text, file="p.yaml")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_policy_file(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"id: demo\ntitle: caf\xe9\n")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(bad)
    assert caught.value.findings[0].line == 2
    assert "not UTF-8" in caught.value.findings[0].message


def test_allow_is_not_a_policy_action() -> None:
    with pytest.raises(PolicyLoadError, match="'allow' is not a policy action") as caught:
        load_policy_text(MINIMAL.replace("[label]", "[label, allow]"))
    assert caught.value.findings[0].line == 10


# Property: any policy the schema accepts survives a YAML round trip unchanged.
_ids = st.from_regex(r"^[A-Z][A-Z0-9_]{0,5}$", fullmatch=True)
_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s != "")


@st.composite
def _policies(draw: st.DrawFn) -> Policy:
    criteria = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    examples = draw(
        st.lists(
            st.builds(
                Example,
                text=_text,
                label=st.sampled_from(["violates", "safe"]),
                criteria=st.lists(st.sampled_from(criteria), max_size=2),
                tags=st.lists(_text, max_size=2),
            ),
            max_size=4,
        )
    )
    return Policy.model_validate(
        {
            "id": draw(st.from_regex(r"^[a-z][a-z0-9_-]{0,10}$", fullmatch=True)),
            "version": draw(st.integers(1, 10_000)),
            "title": draw(_text),
            "definition": draw(_text),
            "glossary": draw(st.dictionaries(_text, _text, max_size=3)),
            "violates": [
                {"id": c, "title": draw(_text), "description": draw(_text)} for c in criteria
            ],
            "examples": [e.model_dump() for e in examples],
            "severity": draw(st.sampled_from(["low", "medium", "high", "critical"])),
            "actions": draw(st.sampled_from([["remove"], ["review", "warn"], ["label"]])),
        }
    )


@settings(max_examples=60, deadline=None)
@given(_policies())
def test_yaml_round_trip_preserves_the_policy(policy: Policy) -> None:
    text = yaml.safe_dump(policy.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    loaded = load_policy_text(text)
    assert loaded.policy == policy
    # every criterion id is located on a line that holds it
    lines = text.splitlines()
    for i, criterion in enumerate(policy.violates):
        line, _ = loaded.source.position(("violates", i, "id"))
        assert line is not None
        assert re.search(r"\bid:", lines[line - 1])
        assert criterion.id in lines[line - 1]
