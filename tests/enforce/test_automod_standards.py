"""`standard:` conditions: modgate's shipped check sets, merged as AutoModerator merges them.

Each of the eight documented names imports to a real rule whose checks are the standard's keys
merged with the section's own (the section's keys replace the standard's of the same name);
probes hit and miss through the translated rule set and through AutoModerator's own matching
(`match_automod_rule`); an unknown name is invalid; the docs list every shipped value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modgate.domain import Item
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules.automod._match import match_automod_rule
from modgate.enforce.rules.automod._parse import parse_automod_config
from modgate.enforce.rules.automod._standards import (
    STANDARD_CONDITIONS,
    standard_file_name,
    standard_source,
)
from modgate.enforce.rules.automod._translate import import_automod_config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "automod.md"

# name: (links it flags, links it leaves alone)
PROBES: dict[str, tuple[list[str], list[str]]] = {
    "image hosting sites": (
        ["https://imgur.com/a/x", "https://i.imgur.com/x.jpg", "http://www.flickr.com/p/1"],
        ["https://example.org/x.jpg", "https://notimgur.com/x", "https://youtube.com/watch"],
    ),
    "direct image links": (
        ["https://example.org/cat.PNG", "https://x.org/a/b.jpeg?width=3", "https://x.org/a.gifv"],
        ["https://example.org/cat.html", "https://example.org/png", "https://x.org/a.png/page"],
    ),
    "video hosting sites": (
        ["https://www.youtube.com/watch?v=1", "https://youtu.be/1", "https://vimeo.com/2"],
        ["https://twitch.tv/x", "https://example.org/youtube.com"],
    ),
    "streaming sites": (
        ["https://www.twitch.tv/x", "https://kick.com/x"],
        ["https://youtube.com/x", "https://kickstarter.com/p"],
    ),
    "crowdfunding sites": (
        [
            "https://www.kickstarter.com/projects/x",
            "https://gofundme.com/f/x",
            "https://patreon.com/x",
        ],
        ["https://kick.com/x", "https://example.org/patreon"],
    ),
    "meme generator sites": (
        ["https://imgflip.com/i/1", "https://memegenerator.net/x"],
        ["https://imgur.com/x", "https://example.org/meme"],
    ),
    "facebook links": (
        ["https://www.facebook.com/x", "https://m.facebook.com/x", "https://fb.me/x"],
        ["https://notfacebook.com/x", "https://example.org/facebook.com"],
    ),
    "amazon affiliate links": (
        [
            "https://www.amazon.com/dp/B01?tag=shop-20",
            "https://smile.amazon.co.uk/gp/product/1?ref=x&tag=me-21",
            "https://amzn.to/3abc",
        ],
        [
            "https://www.amazon.com/dp/B01",
            "https://www.amazon.com/dp/B01?hashtag=x",
            "https://example.org/?tag=x",
        ],
    ),
}


def _post(url: str) -> Item:
    return Item(id="p", kind="post", title="look", url=url)


def test_every_documented_name_ships_a_definition() -> None:
    assert set(PROBES) == set(STANDARD_CONDITIONS)
    for name in STANDARD_CONDITIONS:
        text = standard_source(name)
        assert "modgate's list, compiled from the public domains of these services" in text
        assert isinstance(yaml.safe_load(text), dict)


@pytest.mark.parametrize("name", STANDARD_CONDITIONS)
def test_a_standard_becomes_a_rule_that_flags_what_it_names(name: str) -> None:
    config = parse_automod_config(f"standard: {name}\naction: remove\n")
    result = import_automod_config(config, name="s")
    (entry,) = result.report.entries
    assert entry.status == "translated", entry.reason
    assert any(f"`standard: {name}` is modgate's definition" in n for n in entry.notes)
    compiled = compile_ruleset(result.rule_set)
    (doc,) = config.rules
    assert doc.rule is not None
    hits, misses = PROBES[name]
    for url in hits:
        assert compiled.match(_post(url)).hits, url
        assert match_automod_rule(doc.rule, _post(url)) is not None, url  # AutoModerator's way
    for url in misses:
        assert not compiled.match(_post(url)).hits, url
        assert match_automod_rule(doc.rule, _post(url)) is None, url
    # Link checks: a comment that only mentions such a link is not a link post.
    assert not compiled.match(Item(id="c", kind="comment", body=hits[0])).hits


def test_the_sections_own_key_replaces_the_standards_and_other_keys_add_to_it() -> None:
    own_domain = "standard: image hosting sites\ndomain: [example.org]\naction: remove\n"
    config = parse_automod_config(own_domain)
    compiled = compile_ruleset(import_automod_config(config, name="s").rule_set)
    assert compiled.match(_post("https://example.org/x")).hits
    assert not compiled.match(_post("https://imgur.com/x")).hits  # the standard's list replaced
    (doc,) = config.rules
    assert doc.rule is not None
    assert any("the section's own `domain` replace" in w for w in doc.rule.warnings)

    narrowed = "standard: facebook links\ntitle: [giveaway]\naction: remove\n"
    compiled = compile_ruleset(
        import_automod_config(parse_automod_config(narrowed), name="s").rule_set
    )
    hit = Item(id="p", kind="post", title="a giveaway", url="https://facebook.com/x")
    assert compiled.match(hit).hits
    assert not compiled.match(hit.model_copy(update={"title": "a post"})).hits
    assert not compiled.match(hit.model_copy(update={"url": "https://example.org"})).hits


def test_the_name_is_read_as_automoderator_reads_it_and_messages_point_at_its_line() -> None:
    config = parse_automod_config("# c\ntype: submission\nstandard: '  Facebook Links '\n")
    (doc,) = config.rules
    assert doc.rule is not None and doc.rule.standard == "facebook links"
    assert doc.rule.searches[0].line == 3  # the standard's keys sit at the `standard:` line


@pytest.mark.parametrize("value", ["image hosts", "[image hosting sites]", "3"])
def test_an_unknown_standard_is_invalid_naming_the_known_ones(value: str) -> None:
    (doc,) = parse_automod_config(f"standard: {value}\naction: remove\n").documents
    assert doc.status == "invalid"
    assert "invalid value for `standard`" in doc.reason and "line 1" in doc.reason
    assert all(name in doc.reason for name in STANDARD_CONDITIONS)


def test_the_docs_list_every_shipped_value() -> None:
    """docs/automod.md writes each list out: every value of every definition appears there."""
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## Standard conditions") :]
    section = section[: section.index("\n## ", 3)]
    assert "modgate's list, compiled from the public domains of these services" in section
    for name in STANDARD_CONDITIONS:
        assert f"`{name}`" in section, name
        assert standard_file_name(name) in section, name
        for values in yaml.safe_load(standard_source(name)).values():
            for value in values:
                assert f"`{value}`" in section, (name, value)
