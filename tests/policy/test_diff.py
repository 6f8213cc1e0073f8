from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from modgate.policy import (
    Policy,
    diff_policies,
    example_policy_files,
    load_policy_file,
    render_diff_markdown,
    render_diff_text,
    word_diff,
)


def _base() -> Policy:
    return load_policy_file(example_policy_files()[0]).policy


def _changed(**changes: Any) -> Policy:
    return Policy.model_validate({**_base().model_dump(mode="json"), **changes})


def _index(changes: list[Any]) -> set[tuple[str, str, str, str | None]]:
    return {(c.section, c.change, c.key[:24], c.field) for c in changes}


def test_identical_versions_have_no_changes() -> None:
    diff = diff_policies(_base(), _base())
    assert diff.identical and diff.changes == []
    assert "same content" in render_diff_text(diff)


def test_criteria_added_removed_and_reworded_with_a_word_diff() -> None:
    before = _base()
    data = before.model_dump(mode="json")
    data["version"] = 2
    data["violates"][0]["description"] = data["violates"][0]["description"].replace(
        "wishing misfortune", "wishing serious misfortune"
    )
    removed = data["violates"].pop(2)  # HAR3
    data["violates"].append({"id": "HAR5", "title": "Impersonation", "description": "Posing."})
    data["examples"] = [e for e in data["examples"] if removed["id"] not in e["criteria"]]
    after = Policy.model_validate(data)
    diff = diff_policies(before, after)
    assert _index(diff.changes) >= {
        ("policy", "changed", "version", None),
        ("violates", "changed", "HAR1", "description"),
        ("violates", "removed", "HAR3", None),
        ("violates", "added", "HAR5", None),
        ("examples", "removed", "Everyone go to @tomvlogs", None),
    }
    reworded = next(c for c in diff.changes if c.key == "HAR1")
    assert "wishing {+serious+} misfortune" in reworded.detail()
    assert "wishing **serious** misfortune" in reworded.detail(markdown=True)
    assert not diff.identical


def test_allowed_contexts_actions_severity_glossary_and_definition() -> None:
    base = _base()
    after = _changed(
        allowed=[a.model_dump() for a in base.allowed if a.id != "satire"],
        actions=["remove", "review", "label"],
        severity="high",
        glossary={**base.glossary, "doxxing": "Publishing private information."},
        definition=base.definition + " Threats are covered by violent_threats.",
    )
    assert _index(diff_policies(base, after).changes) >= {
        ("allowed", "removed", "satire", None),
        ("actions", "removed", "warn", None),
        ("actions", "added", "label", None),
        ("severity", "changed", "severity", None),
        ("glossary", "added", "doxxing", None),
        ("definition", "changed", "definition", None),
    }


def test_examples_matched_by_text_relabelled_and_reworded() -> None:
    base = _base()
    examples = [e.model_dump() for e in base.examples]
    examples[0]["label"], examples[0]["criteria"] = "safe", []
    examples[1]["text"] = examples[1]["text"].replace("nobody", "no one")
    examples.append({"text": "brand new example", "label": "safe", "allowed": ["criticism"]})
    diff = diff_policies(base, _changed(examples=examples))
    index = _index(diff.changes)
    key0 = "@dana_k you are a worthl"
    assert ("examples", "changed", key0, "label") in index
    assert ("examples", "changed", key0, "criteria") in index
    reworded = [c for c in diff.changes if c.field == "text"]
    assert len(reworded) == 1 and "[-nobody-]{+no one+}" in reworded[0].detail()
    assert ("examples", "added", "brand new example", None) in index
    assert not any(c.change == "removed" for c in diff.changes)


def test_markdown_has_one_table_per_section() -> None:
    base = _base()
    md = render_diff_markdown(diff_policies(base, _changed(version=2, severity="high")))
    assert "## Policy diff: `harassment@1` → `harassment@2`" in md
    assert "### policy" in md and "### severity" in md
    assert "| changed | `severity` | medium → high |" in md


_words = st.lists(st.sampled_from(["a", "b", "cc", "dd", " ", "  ", "\n", "e."]), max_size=20)


@given(_words, _words)
def test_word_diff_rebuilds_both_texts(a: list[str], b: list[str]) -> None:
    before, after = "".join(a), "".join(b)
    segments = word_diff(before, after)
    assert "".join(s.text for s in segments if s.op != "insert") == before
    assert "".join(s.text for s in segments if s.op != "delete") == after
