from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.domain import Action, AuthorInfo, Item
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules._enforcer import RulesEnforcer
from modgate.enforce.rules._load import parse_ruleset
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules._schema import Rule, RuleSet
from modgate.enforce.rules.automod._io import render_rule_set_yaml
from modgate.enforce.rules.automod._match import automod_flags, automod_pattern, match_automod_rule
from modgate.enforce.rules.automod._model import MATCH_METHODS, AutomodSearch
from modgate.enforce.rules.automod._parse import parse_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config, text_check


def translate(text: str, community: str | None = None) -> list[Rule]:
    result = import_automod_config(parse_automod_config(text), name="t", community=community)
    return list(result.rules)


def fires(rules: list[Rule], item: Item) -> bool:
    compiled = compile_ruleset(RuleSet(name="t", rules=tuple(rules)))
    outcome = compiled.match(item)
    assert outcome.error is None
    return bool(outcome.hits)


def test_actions_map_to_modgate_actions() -> None:
    text = "\n---\n".join(
        f"body: [w{i}]\naction: {a}" for i, a in enumerate(["remove", "spam", "filter", "report"])
    )
    assert [r.action for r in translate(text)] == [
        Action.REMOVE,
        Action.REMOVE,
        Action.REVIEW,
        Action.REVIEW,
    ]


def test_rules_are_ordered_by_priority_then_file_order_and_ids_name_the_section() -> None:
    rules = translate(
        "body: [a]\naction: report\n---\nbody: [b]\naction: remove\npriority: 5\n"
        "---\ntitle+body: [c]\naction: filter\n"
    )
    assert [r.id for r in rules] == [
        "automod-002",
        "automod-001",
        "automod-003-comments",
        "automod-003-posts",
    ]


def test_only_the_first_removal_rule_by_priority_counts() -> None:
    result = import_automod_config(
        parse_automod_config(
            "body: [deal]\naction: remove\n---\n"
            "body: [deal]\naction: filter\npriority: 3\n---\n"
            "body: [deal]\naction: report\n"
        ),
        name="t",
    )
    spec = EnforcerSpec(name="am", kind="rules", policy="p")
    enforcer = RulesEnforcer(spec, compile_ruleset(result.rule_set))
    (verdict,) = enforcer.predict([Item(id="1", kind="comment", body="a deal")])
    # AutoModerator: the filter rule (priority 3) removes to the queue; the remove rule is not
    # checked; the report rule (not a removal rule) fires too.
    assert verdict.action is Action.REVIEW
    assert "automod-002" in verdict.rationale and "automod-003" in verdict.rationale
    assert "automod-001" not in verdict.rationale
    explained = {
        e.rule_id: e
        for e in compile_ruleset(result.rule_set).explain(Item(id="3", kind="comment", body="deal"))
    }
    assert explained["automod-002"].fired and not explained["automod-001"].fired
    assert "fired first" in explained["automod-001"].reason


def test_type_any_with_title_and_body_differs_per_item_kind() -> None:
    rules = translate("title+body: [weed]\naction: remove\n")
    comment_rule, post_rule = rules
    assert comment_rule.kinds == ("comment",) and comment_rule.checks[0].fields == ("body",)
    assert post_rule.kinds == ("post",) and post_rule.checks[0].fields == ("title", "body")
    comment_with_title = Item(id="1", kind="comment", title="weed", body="fine")
    assert not fires(rules, comment_with_title)
    assert fires(rules, Item(id="2", kind="post", title="weed"))


def test_text_and_link_posts_are_told_apart_by_url() -> None:
    rules = translate("type: link submission\ntitle: [x]\naction: remove\n")
    assert fires(rules, Item(id="1", kind="post", title="x", url="https://a.example"))
    assert not fires(rules, Item(id="2", kind="post", title="x"))
    text_only = translate("type: text submission\ntitle: [x]\naction: remove\n")
    assert fires(text_only, Item(id="3", kind="post", title="x"))
    assert not fires(text_only, Item(id="4", kind="post", title="x", url="https://a.example"))


def test_negated_url_check_alone_never_matches_text_posts() -> None:
    rules = translate("type: submission\n~url (includes): [imgur]\naction: filter\n")
    assert not fires(rules, Item(id="1", kind="post", title="a text post"))
    assert fires(rules, Item(id="2", kind="post", title="t", url="https://other.example/"))


def test_domain_of_text_posts_is_self_community() -> None:
    rules = translate("domain: [self.leafcare]\naction: report\n", community="leafcare")
    assert fires(rules, Item(id="1", kind="post", title="t", community="leafcare"))
    assert not fires(rules, Item(id="2", kind="post", title="t", url="https://x.example/"))


def test_negated_body_only_rule_skips_link_posts_without_text() -> None:
    rules = translate("type: link submission\n~body (includes): [source]\naction: report\n")
    assert not fires(rules, Item(id="1", kind="post", title="t", url="https://x.example/"))
    assert fires(rules, Item(id="2", kind="post", title="t", url="https://x.example/", body="hi"))


def test_moderators_exempt_default_and_override() -> None:
    moderator = AuthorInfo(is_moderator=True)
    removal = translate("body: [x]\naction: remove\n")
    assert removal[0].moderators_exempt
    assert not fires(removal, Item(id="1", kind="comment", body="x", author=moderator))
    assert fires(removal, Item(id="2", kind="comment", body="x"))
    kept = translate("body: [x]\naction: remove\nmoderators_exempt: false\n")
    assert fires(kept, Item(id="3", kind="comment", body="x", author=moderator))


def test_regexes_keep_python_meaning_on_the_rule_set_engines() -> None:
    rules = translate(
        "body (regex, includes): ['(?<!not a )scam']\naction: report\n---\n"
        "body (regex, includes): ['fr[e3]e']\naction: report\n---\n"
        "body (regex): ['caf']\naction: report\n"
    )
    compiled = compile_ruleset(RuleSet(name="t", rules=tuple(rules)))
    assert compiled.report.re2_patterns == 1  # fr[e3]e: same meaning on RE2
    assert compiled.report.fallback_patterns == 2  # lookbehind; Unicode word boundaries
    # Python's \b and \W are Unicode-aware: "caf" is not a whole word in "café".
    assert [
        h.rule.id for h in compiled.match(Item(id="1", kind="comment", body="un café")).hits
    ] == []
    assert compiled.match(Item(id="2", kind="comment", body="un caf, merci")).hits
    assert not compiled.match(Item(id="3", kind="comment", body="not a scam")).hits


def test_reason_placeholders_are_rendered_in_the_verdict() -> None:
    result = import_automod_config(
        parse_automod_config(
            "body (includes): [Spam]\naction: remove\n"
            "action_reason: 'spam ({{match}}) by {{author}}'"
        ),
        name="t",
    )
    spec = EnforcerSpec(name="am", kind="rules", policy="spam", params={})
    enforcer = RulesEnforcer(spec, compile_ruleset(result.rule_set))
    (verdict,) = enforcer.predict(
        [Item(id="1", kind="comment", body="buy SPAM now", author_id="u1")]
    )
    assert verdict.action is Action.REMOVE
    assert "spam (SPAM) by u1" in verdict.rationale


def test_written_rule_set_loads_back_identically() -> None:
    result = import_automod_config(
        parse_automod_config(
            "title+body (full-exact): ['a.b']\naction: filter\n---\n"
            "author:\n  account_age: '< 3 hours'\n  combined_karma: '< 10'\n"
            "  satisfy_any_threshold: true\nbody_longer_than: 3\nreports: 2\naction: report\n"
        ),
        name="written",
        community="leafcare",
    )
    text = render_rule_set_yaml(result)
    assert parse_ruleset(text, "written.yaml") == result.rule_set


def test_nothing_translatable_gives_a_disabled_placeholder() -> None:
    result = import_automod_config(parse_automod_config("title: [y]\n---\nbody: [z]\n"), name="t")
    assert result.rules == ()
    assert [r.enabled for r in result.rule_set.rules] == [False]


# Differential test: the translated check and AutoModerator's own regex agree on any text.
# Not "İ": case-insensitive checks read lower-cased text and "İ".lower() is two characters,
# the second not a word character (a documented difference).
_ALPHABET = st.sampled_from(list("aAbB_1 .-!\n\t'éÉß\u212aǅ٣\u0301²‿\x1c\u2028\xa0"))
_VALUES = st.lists(st.text(_ALPHABET, max_size=4), min_size=1, max_size=3)
_TEXTS = st.text(_ALPHABET, max_size=12)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=_VALUES,
    method=st.sampled_from(MATCH_METHODS),
    case_sensitive=st.booleans(),
    negated=st.booleans(),
    texts=st.lists(_TEXTS, min_size=1, max_size=5),
)
def test_translated_literal_checks_agree_with_automoderator(
    values: list[str], method: str, case_sensitive: bool, negated: bool, texts: list[str]
) -> None:
    search = AutomodSearch(
        key="body",
        line=1,
        fields=("body",),
        negated=negated,
        method=method,  # type: ignore[arg-type]
        method_given=True,
        case_sensitive=case_sensitive,
        values=tuple(values),
    )
    _agree(search, texts)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pattern=st.sampled_from(
        [
            "a+",
            "b|é",
            "(a)(b)?",
            r"\w+",
            r"\bab\b",
            r"\Ba",
            "a$",
            r"a\Z",
            "[^a ]",
            r"[^\W\d]",
            r"[\s_]",
            ".",
            "(?<!a)b",
            "ß",
            r"(a)\2",
            "(?i:A)b",
            "a{,2}",
            r"\d",
        ]
    ),
    method=st.sampled_from(MATCH_METHODS),
    case_sensitive=st.booleans(),
    texts=st.lists(_TEXTS, min_size=1, max_size=5),
)
def test_translated_regex_checks_agree_with_automoderator(
    pattern: str, method: str, case_sensitive: bool, texts: list[str]
) -> None:
    search = AutomodSearch(
        key="body",
        line=1,
        fields=("body",),
        method=method,  # type: ignore[arg-type]
        method_given=True,
        regex=True,
        case_sensitive=case_sensitive,
        values=(pattern,),
    )
    _agree(search, texts)


def _agree(search: AutomodSearch, texts: list[str]) -> None:
    check = text_check(search, ("body",))
    rule = Rule(id="r", match_on="raw", checks=(check,), kinds=("comment",))
    compiled = compile_ruleset(RuleSet(name="t", rules=(rule,)))
    expected_pattern = re.compile(automod_pattern(search), automod_flags(search))
    for number, text in enumerate(texts):
        expected = (expected_pattern.search(text) is not None) != search.negated
        got = bool(compiled.match(Item(id=str(number), kind="comment", body=text)).hits)
        assert got is expected, (text, check)


def test_reference_check_matches_the_documented_examples() -> None:
    (doc,) = parse_automod_config(
        "type: link submission\ntitle (includes): video\n~domain: [youtube.com, youtu.be]\n"
        "action: remove\n"
    ).documents
    assert doc.rule is not None
    link = Item(id="1", kind="post", title="Music videos", url="https://vimeo.com/1")
    youtube = Item(id="2", kind="post", title="Music videos", url="https://m.youtube.com/x")
    assert match_automod_rule(doc.rule, link) is not None
    assert match_automod_rule(doc.rule, youtube) is None
