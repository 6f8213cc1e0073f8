from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.policy import (
    AppliesTo,
    CommunityRule,
    parse_applies_to,
    parse_examples,
    rule_content_hash,
    rule_key,
)

_words = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=40)


def test_rule_key_folds_case_and_punctuation_and_keeps_non_latin_names_apart() -> None:
    assert rule_key("No Self-Promotion!") == rule_key("no self promotion") == "no-self-promotion"
    assert rule_key("禁止广告") == "禁止广告"
    assert rule_key("!!!") != rule_key("???")
    assert len(rule_key("x" * 500)) <= 128
    assert rule_key("x" * 500) != rule_key("x" * 499)


@given(
    name=_words.filter(lambda s: s.strip()),
    description=_words,
    spaces=st.sampled_from([" ", "  ", "\n", "\t "]),
)
def test_content_hash_ignores_whitespace_runs_but_not_words(
    name: str, description: str, spaces: str
) -> None:
    rule = CommunityRule(community="c", name=name, description=description)
    reflowed = CommunityRule(
        community="c",
        name=name.replace(" ", spaces),
        description=" " + description.replace(" ", spaces) + " ",
        position=3,
    )
    assert rule_content_hash(rule) == rule_content_hash(reflowed)
    changed = CommunityRule(community="c", name=name, description=description + " more")
    assert rule_content_hash(changed) != rule_content_hash(rule)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("posts", AppliesTo.POSTS),
        ("link", AppliesTo.POSTS),
        (" Comment ", AppliesTo.COMMENTS),
        ("all", AppliesTo.BOTH),
        ("Posts and  comments", AppliesTo.BOTH),
    ],
)
def test_applies_to_reads_platform_spellings(raw: str, expected: AppliesTo) -> None:
    assert parse_applies_to(raw) is expected


def test_applies_to_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="'threads' is not posts, comments or both"):
        parse_applies_to("threads")


@given(st.lists(st.text(min_size=1).filter(lambda s: s.strip()), max_size=5))
def test_examples_from_a_list_and_from_its_json_text_agree(examples: list[str]) -> None:
    expected = tuple(e.strip() for e in examples)
    assert parse_examples(examples) == expected
    assert parse_examples(json.dumps(examples)) == expected


def test_examples_one_per_line_and_bad_entries() -> None:
    assert parse_examples("buy my stuff\n\n  follow me  \n") == ("buy my stuff", "follow me")
    assert parse_examples(None) == parse_examples("") == ()
    with pytest.raises(ValueError, match="not text"):
        parse_examples([1, 2])
