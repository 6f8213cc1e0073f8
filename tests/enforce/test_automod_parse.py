from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from modgate.enforce.rules.automod._model import AutomodRule
from modgate.enforce.rules.automod._parse import (
    normalize_line_breaks,
    parse_automod_config,
    read_automod_config,
)
from modgate.errors import ValidationError


def one_rule(text: str) -> AutomodRule:
    config = parse_automod_config(text)
    rules = config.rules
    assert len(rules) == 1, [d.reason for d in config.documents]
    assert rules[0].rule is not None
    return rules[0].rule


def test_sections_are_split_on_dashes_with_lines_and_first_lines() -> None:
    text = "# header only\n---\n\n# [A] first\ntitle: [x]\naction: remove\n---\n---\n   \n"
    config = parse_automod_config(text, path="cfg.yaml")
    assert [(d.index, d.status) for d in config.documents] == [
        (1, "ignored"),
        (2, "rule"),
        (3, "ignored"),
        (4, "ignored"),
    ]
    rule_doc = config.documents[1]
    assert rule_doc.line == 4
    assert rule_doc.first_line == "# [A] first"
    assert "comments only" in config.documents[0].reason
    assert config.documents[2].reason == "empty section"


def test_keys_are_lower_cased_and_the_last_duplicate_wins_with_a_warning() -> None:
    rule = one_rule("Title: [a]\ntitle: [b]\nACTION: remove\n")
    assert rule.action == "remove"
    assert [s.values for s in rule.searches] == [("b",)]
    assert any("given twice" in w and "line 1" in w for w in rule.warnings)


def test_anchors_work_within_a_rule_but_not_across_rules() -> None:
    text = "title: &w [aphid, thrips]\nbody: *w\naction: report\n---\nbody: *w\naction: remove\n"
    config = parse_automod_config(text)
    first, second = config.documents
    assert first.rule is not None
    assert [s.values for s in first.rule.searches] == [("aphid", "thrips")] * 2
    assert second.status == "invalid"
    assert "line 5" in second.reason and "alias" in second.reason


def test_merge_keys_are_resolved_and_not_reported_as_duplicates() -> None:
    rule = one_rule(
        "author:\n  <<: {account_age: '< 3 days', comment_karma: '< 2'}\n"
        "  comment_karma: '< 5'\naction: filter\n"
    )
    assert rule.author is not None
    assert {(t.name, t.value) for t in rule.author.thresholds} == {
        ("account_age", 3.0),
        ("comment_karma", 5.0),
    }
    assert rule.warnings == ()


def test_non_text_values_are_searched_as_python_prints_them_with_a_warning() -> None:
    rule = one_rule("body: [no, 12, 1.5, ~]\naction: remove\n")
    assert rule.searches[0].values == ("False", "12", "1.5", "None")
    assert len(rule.warnings) == 4


def test_typographic_quotes_are_kept_literally_with_a_warning() -> None:
    rule = one_rule("body: [“cheap”]\naction: remove\n")
    assert rule.searches[0].values == ("“cheap”",)
    assert "typographic quotes" in rule.warnings[0]


def test_tab_indentation_is_reported_at_its_line_with_a_hint() -> None:
    config = parse_automod_config(
        "title: [x]\naction: remove\n---\nauthor:\n\tis_moderator: true\n"
    )
    bad = config.documents[1]
    assert bad.status == "invalid"
    assert "line 5" in bad.reason and "tab" in bad.reason


def test_search_keys_parse_fields_negation_numbering_and_modifiers() -> None:
    rule = one_rule(
        "~title + body#2 (includes, regex, case-sensitive): ['a+']\n"
        "url: [bit.ly]\nid: [abc]\nflair_text: [Meme]\ndomain: [x.example]\n"
        "title+body: [w]\naction: report\n"
    )
    first, url, ident, flair, domain, joined = rule.searches
    assert first.fields == ("title", "body")
    assert first.negated and first.regex and first.case_sensitive
    assert first.method == "includes" and first.method_given
    assert (url.method, ident.method, flair.method) == ("includes", "full-exact", "full-exact")
    assert domain.method == "includes-word" and not domain.method_given
    assert joined.method == "includes-word"


def test_several_methods_keep_the_first_with_a_warning() -> None:
    rule = one_rule("title (starts-with, ends-with): [x]\naction: remove\n")
    assert rule.searches[0].method == "starts-with"
    assert "several search methods" in rule.warnings[0]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("body (contains): [x]\naction: remove\n", "unknown modifier `contains`"),
        ("body (regex): ['a[b']\naction: remove\n", "invalid regular expression"),
        ("body: [x]\naction: delete\n", "invalid value for `action`"),
        ("type: comments\nbody: [x]\naction: remove\n", "invalid value for `type`"),
        ("reports: many\naction: filter\n", "invalid value for `reports`"),
        ("author:\n  account_age: 'a while'\naction: filter\n", "invalid value for `account_age`"),
        ("name: [x]\naction: remove\n", "can't search `name` here"),
    ],
)
def test_sections_automoderator_refuses_are_invalid_with_the_line(text: str, needle: str) -> None:
    (doc,) = parse_automod_config("# c\n" + text, path="x").documents
    assert doc.status == "invalid"
    assert needle in doc.reason
    assert re.search(r"line [2-3]\b", doc.reason)


def test_unknown_keys_and_unavailable_checks_are_unsupported_a_standard_is_merged() -> None:
    rule = one_rule(
        "standard: image hosting sites\nis_edited: true\nfrobnicate: 3\n"
        "media_title: [x]\naction: filter\n"
    )
    keys = [u.key for u in rule.unsupported]
    assert keys == ["frobnicate"]
    assert rule.is_edited is True and rule.standard == "image hosting sites"
    assert [s.fields for s in rule.searches] == [("domain",), ("media_title",)]
    assert "imgur.com" in rule.searches[0].values
    assert any("modgate's list, not Reddit's wiki page" in w for w in rule.warnings)


def test_thresholds_convert_units_and_comparisons() -> None:
    rule = one_rule(
        "author:\n  account_age: '< 2 weeks'\n  comment_karma: '> -5'\n  post_karma: 10\n"
        "  combined_karma: '<= 30'\n  satisfy_any_threshold: true\naction: filter\n"
    )
    assert rule.author is not None
    got = {(t.name, t.comparison, t.value) for t in rule.author.thresholds}
    assert got == {
        ("account_age", "<", 14.0),
        ("comment_karma", ">", -5.0),
        ("post_karma", "=", 10.0),
        ("combined_karma", "<=", 30.0),
    }
    assert rule.author.satisfy_any_threshold
    assert any("no comparison operator" in w for w in rule.warnings)


def test_author_as_names_and_not_author() -> None:
    rule = one_rule("author: [spammer]\n~author: helper_bot\naction: spam\n")
    assert rule.author is not None
    names = [(s.key, s.negated, s.values) for s in rule.author.searches]
    assert names == [("name", False, ("spammer",)), ("~name", True, ("helper_bot",))]


def test_side_effects_and_moderators_exempt_default() -> None:
    rule = one_rule("title: [x]\nset_flair: [Q]\ncomment: hi\naction: report\n")
    assert rule.side_effects == ("set_flair", "comment")
    assert rule.exempts_moderators
    approve = one_rule("title: [x]\naction: approve\n")
    assert not approve.exempts_moderators
    assert not one_rule("title: [x]\naction: spam\nmoderators_exempt: false\n").exempts_moderators


def test_read_refuses_files_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_bytes(b"title: [\xff]\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        read_automod_config(path)
    path.write_bytes("\ufefftitle: [x]\naction: remove\n".encode())
    assert read_automod_config(path).rules[0].line == 1


_FRAGMENTS = st.sampled_from(
    [
        "---",
        "--- # next",
        "# comment",
        "title: [a, 'b']",
        "body (includes, regex): ['(?<!x)y']",
        "~url (includes): bit.ly",
        "title + body#2 (full-text): “x”",
        "author:",
        "  account_age: '< 3 days'",
        "  satisfy_any_threshold: yes",
        "\tis_moderator: true",
        "type: text submission",
        "action: remove",
        "action: explode",
        "action_reason: '{{match}}'",
        "list: &a [1, 2]",
        "again: *a",
        "<<: *a",
        "    indented: rule",
        "body: [unclosed",
        "modmail: a: b",
        "standard: x",
        "priority: high",
        "reports: 2",
        ": :",
        "- item",
        "'",
        '"\\x"',
        "body_shorter_than: 5",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=30)), max_size=25))
@example(["'", "\x85"])  # NEL is a YAML line break: line numbers must still be in range
@example(["a: 1", "\u2028---", "b: 2"])
def test_yaml_ish_text_never_crashes_and_every_section_is_accounted_for(lines: list[str]) -> None:
    text = "\n".join(lines)
    config = parse_automod_config(text)
    normalized = normalize_line_breaks(text)
    assert len(config.documents) == len(re.findall(r"^---", normalized, re.MULTILINE)) + 1
    for doc in config.documents:
        assert doc.status in ("rule", "ignored", "invalid")
        assert (doc.rule is not None) == (doc.status == "rule")
        assert doc.status == "rule" or doc.reason
        assert 1 <= doc.line <= normalized.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    config = parse_automod_config(text)
    assert all((d.rule is not None) == (d.status == "rule") for d in config.documents)
